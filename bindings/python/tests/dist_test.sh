#!/usr/bin/env bash
# `make test-dist-python`: the release artifacts in dist/ as a Python user gets them.
# 1. The sdist builds and imports with `pip install` where Rust exists (the one step that
#    may use cargo: it is the sdist's promise).
# 2. With no Rust toolchain on PATH, in a clean directory: a fresh venv, `pip install` of the
#    manylinux wheel alone (no index), then the README's Python quick start, as written.
# Usage: dist_test.sh <dist dir> <version>
set -euo pipefail
dist=$(realpath "$1")
version=$2
here=$(cd "$(dirname "$0")" && pwd)
readme=$(realpath "$here/../../../README.md")
wheels=("$dist"/voucherkit-"$version"-*.whl)
sdist="$dist/voucherkit-$version.tar.gz"
[ -f "${wheels[0]}" ] && [ "${#wheels[@]}" -eq 1 ] || { echo "test-dist-python: want one wheel in $dist" >&2; exit 1; }
[ -f "$sdist" ] || { echo "test-dist-python: no $sdist" >&2; exit 1; }
wheel=${wheels[0]}
case "$(basename "$wheel")" in
  *-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl) ;;
  *) echo "test-dist-python: $(basename "$wheel") is not a manylinux2014 abi3 wheel" >&2; exit 1 ;;
esac

sdist_dir=$(mktemp -d)
python3 -m venv "$sdist_dir/venv"
# The dev profile and the clone's target dir: the sdist's own crates compile, the
# dependencies are reused.
MATURIN_PEP517_ARGS="--profile dev" "$sdist_dir/venv/bin/python" -m pip install --quiet \
  --disable-pip-version-check "$sdist"
got=$("$sdist_dir/venv/bin/python" -c 'import voucherkit; print(voucherkit.__version__)')
rm -rf "$sdist_dir"
[ "$got" = "$version" ] || { echo "test-dist-python: the sdist installed version $got" >&2; exit 1; }
echo "test-dist-python: the sdist builds with pip where Rust exists (version $got)"

# shellcheck source=../../../tests/dist/no_rust.sh
source "$here/../../../tests/dist/no_rust.sh"
if python3 -m zipfile -l "$wheel" | grep -E '\.(debug|pdb)$'; then
  echo "test-dist-python: the wheel ships debug files" >&2; exit 1
fi
python3 -m venv venv
venv/bin/python -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
python3 "$here/../../../tests/dist/readme_block.py" "$readme" "## Python quick start" python quickstart.py
out=$(venv/bin/python quickstart.py)
echo "$out" | sed 's/^/  quick start: /'
grep -q "The voucher has been redeemed." <<<"$out" && grep -q "voucher_expired" <<<"$out" \
  || { echo "test-dist-python: the quick start did not redeem as the README says" >&2; exit 1; }
got=$(venv/bin/python -c 'import voucherkit; print(voucherkit.__version__, voucherkit.__file__)')
echo "  installed: $got"
[ "${got%% *}" = "$version" ] || { echo "test-dist-python: the wheel says version ${got%% *}" >&2; exit 1; }
case "$got" in *"$work/venv/"*) ;; *) echo "test-dist-python: imported from outside the venv" >&2; exit 1 ;; esac
check_size "$wheel"
print_size "$sdist"
echo "test-dist-python: 2 passed, 0 failed"
