#!/usr/bin/env bash
# `make test-dist-node`: the two npm tarballs in dist/ as a Node developer gets them, with
# no Rust toolchain on PATH: a fresh npm project installs voucherkit and
# voucherkit-linux-x64-gnu from the tarballs (no registry: --offline), then runs the README's
# Node quick start as written (CommonJS) and as an ES module.
# Usage: dist_test.sh <dist dir> <version>
set -euo pipefail
dist=$(realpath "$1")
version=$2
here=$(cd "$(dirname "$0")" && pwd)
readme=$(realpath "$here/../../../README.md")
main_tgz="$dist/voucherkit-$version.tgz"
platform_tgz="$dist/voucherkit-linux-x64-gnu-$version.tgz"
for f in "$main_tgz" "$platform_tgz"; do
  [ -f "$f" ] || { echo "test-dist-node: no $f" >&2; exit 1; }
done
# shellcheck source=../../../tests/dist/no_rust.sh
source "$here/../../../tests/dist/no_rust.sh"

if tar -tzf "$main_tgz" | grep -q '\.node$'; then
  echo "test-dist-node: the main package carries a native addon" >&2; exit 1
fi
mkdir till && cd till
npm init -y >/dev/null
# The platform package satisfies the main package's optionalDependency on it; the other
# platforms' packages are skipped (optional, and not fetched: --offline).
npm install --offline --no-audit --no-fund --loglevel=error "$platform_tgz" "$main_tgz" >/dev/null
node -e '
  const pkg = require("voucherkit/package.json")
  if (pkg.version !== process.argv[1]) throw new Error(`voucherkit ${pkg.version}`)
  const dep = pkg.optionalDependencies["voucherkit-linux-x64-gnu"]
  if (dep !== pkg.version) throw new Error(`optionalDependency ${dep}`)
  console.log(`  installed voucherkit ${pkg.version}, optional: ${Object.keys(pkg.optionalDependencies).join(", ")}`)
' "$version"

python3 "$here/../../../tests/dist/readme_block.py" "$readme" "## Node quick start" js quickstart.js
# The same program as an ES module: each `const { … } = require('x')` becomes an import.
python3 - quickstart.js quickstart.mjs <<'PY'
import re, sys
esm, n = re.subn(r"const (\{[^}]*\}) = require\(('[^']+')\)", r"import \1 from \2", open(sys.argv[1]).read())
if n == 0:
    sys.exit("README: the Node quick start has no require() to turn into an import")
open(sys.argv[2], "w").write(esm)
PY
for program in quickstart.js quickstart.mjs; do
  out=$(node "$program")
  echo "$out" | sed "s/^/  $program: /"
  grep -q "The voucher has been redeemed." <<<"$out" && grep -q "voucher_expired" <<<"$out" \
    || { echo "test-dist-node: $program did not redeem as the README says" >&2; exit 1; }
done
out=$(npx --no-install voucherkit --version)
[ "$out" = "voucherkit $version" ] || { echo "test-dist-node: npx voucherkit --version says '$out'" >&2; exit 1; }

check_size "$platform_tgz"
check_size node_modules/voucherkit-linux-x64-gnu/voucherkit.linux-x64-gnu.node
print_size "$main_tgz"
echo "test-dist-node: 3 passed, 0 failed"
