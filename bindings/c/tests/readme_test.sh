#!/usr/bin/env bash
# Compiles and runs the C programs in README.md's "C and C++ quick start" section against
# the freshly built static library: the first ```c block after that heading, and the first
# ```c block after its "When the answer is lost" heading (run in a scratch directory, where
# it writes its journal file).
# Usage: readme_test.sh <static lib> <native libs...>
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
include="$root/bindings/c/include"
lib=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$root/README.md" "$tmp/readme.c" "$tmp/readme_journal.c" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
start = text.index("## C and C++ quick start")
end = text.find("\n## ", start + 1)
section = text[start:end if end != -1 else len(text)]
block = re.search(r"```c\n(.*?)```", section, re.S)
if not block:
    sys.exit("README: no ```c block in the C and C++ quick start")
open(sys.argv[2], "w").write(block.group(1))
lost = section.find("### When the answer is lost")
if lost == -1:
    sys.exit("README: no 'When the answer is lost' in the C and C++ quick start")
block = re.search(r"```c\n(.*?)```", section[lost:], re.S)
if not block:
    sys.exit("README: no ```c block under 'When the answer is lost' (C)")
open(sys.argv[3], "w").write(block.group(1))
PY
cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$include" "$tmp/readme.c" "$lib" "$@" -o "$tmp/readme"
out=$("$tmp/readme")
echo "$out"
grep -q "The voucher has been redeemed." <<<"$out"
grep -q "voucher_expired: The voucher number provided has expired." <<<"$out"

cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$include" "$tmp/readme_journal.c" "$lib" "$@" \
    -o "$tmp/readme_journal"
mkdir "$tmp/run"
out=$(cd "$tmp/run" && "$tmp/readme_journal")
echo "$out"
# The lost answer names its entry, and reconcile settles that entry as applied.
id=$(sed -n 's/^outcome_unknown (journal entry \([0-9a-f-]\{36\}\))$/\1/p' <<<"$out")
[ -n "$id" ] || { echo "readme: no outcome_unknown with a journal entry id" >&2; exit 1; }
grep -qx "sale-42 is now applied" <<<"$out"
[ -s "$tmp/run/vouchers.journal" ] || { echo "readme: the journal file was not written" >&2; exit 1; }
echo "readme: 2 passed, 0 failed"
