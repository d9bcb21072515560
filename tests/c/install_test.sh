#!/usr/bin/env bash
# `make install PREFIX=<tmp>` then build tests/c/example.c against the installed library:
# with pkg-config (shared, and static with --static), and with CMake's
# find_package(voucherkit) (shared, static and the C++ wrapper). Every build runs.
# Usage: install_test.sh <make command> <profile>
set -euo pipefail
make_cmd=${1:-make}
profile=${2:-debug}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

$make_cmd --no-print-directory -C "$root" install-c PREFIX="$prefix" C_PROFILE="$profile" >/dev/null
for f in lib/libvoucherkit.a lib/libvoucherkit.so include/voucherkit.h include/voucherkit.hpp \
         lib/pkgconfig/voucherkit.pc lib/cmake/voucherkit/voucherkitConfig.cmake \
         lib/cmake/voucherkit/voucherkitConfigVersion.cmake; do
  [ -e "$prefix/$f" ] || { echo "install test: $f not installed" >&2; exit 1; }
done
echo "install test: installed into a temporary prefix"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic)
# shellcheck disable=SC2046
cc "${cflags[@]}" "$root/tests/c/example.c" -o "$tmp/example_shared" $(pkg-config --cflags --libs voucherkit)
LD_LIBRARY_PATH="$prefix/lib" "$tmp/example_shared"
# ldd's output is captured first: `ldd | grep -q` under pipefail fails at random when grep
# exits on the first match and ldd is killed by SIGPIPE while still writing.
deps=$(LD_LIBRARY_PATH="$prefix/lib" ldd "$tmp/example_shared")
case "$deps" in
  *"$prefix/lib/libvoucherkit.so"*) ;;
  *) printf 'install test: the shared build does not use the installed libvoucherkit.so:\n%s\n' "$deps" >&2; exit 1 ;;
esac
# shellcheck disable=SC2046
cc "${cflags[@]}" "$root/tests/c/example.c" -o "$tmp/example_static" \
  $(pkg-config --cflags voucherkit) "$prefix/lib/libvoucherkit.a" $(pkg-config --static --libs-only-l voucherkit | sed 's/-lvoucherkit//')
deps=$(ldd "$tmp/example_static")
case "$deps" in
  *libvoucherkit*) printf 'install test: the static build links libvoucherkit.so:\n%s\n' "$deps" >&2; exit 1 ;;
esac
"$tmp/example_static"
echo "install test: pkg-config builds (shared and static) ran"

cmake -S "$root/tests/c/example_cmake" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" "$tmp/cmake/example_shared"
"$tmp/cmake/example_static"
LD_LIBRARY_PATH="$prefix/lib" "$tmp/cmake/example_cpp"
echo "install test: CMake find_package(voucherkit) builds (shared, static, C++) ran"
echo "install test: 1 passed, 0 failed"
