#!/usr/bin/env bash
# Compiles and runs the C program in README.md's "C and C++ quick start" section (the first
# ```c block after that heading) against the freshly built static library.
# Usage: readme_test.sh <static lib> <native libs...>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$root/README.md" "$tmp/readme.c" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index("## C and C++ quick start"):]
block = re.search(r"```c\n(.*?)```", section, re.S)
if not block:
    sys.exit("README: no ```c block in the C and C++ quick start")
open(sys.argv[2], "w").write(block.group(1))
PY
cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$root/include" "$tmp/readme.c" "$lib" "$@" -o "$tmp/readme"
out=$("$tmp/readme")
echo "$out"
grep -q "The voucher has been redeemed." <<<"$out"
grep -q "voucher_expired: The voucher number provided has expired." <<<"$out"
echo "readme: 1 passed, 0 failed"
