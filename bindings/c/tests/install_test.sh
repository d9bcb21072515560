#!/usr/bin/env bash
# `make install PREFIX=<tmp>` then build bindings/c/tests/example.c against the installed library:
# with pkg-config (shared, and static with --static), and with CMake's
# find_package(voucherkit) (shared, static and the C++ wrapper). Every build runs.
# The shared library must be installed as libvoucherkit.so.<version> with SONAME
# libvoucherkit.so.<major> (the header's VOUCHERKIT_VERSION_* macros) and the symlinks
# libvoucherkit.so.<major> and libvoucherkit.so, and every shared build must record
# NEEDED libvoucherkit.so.<major>.
# Usage: install_test.sh <make command> <profile>
set -euo pipefail
make_cmd=${1:-make}
profile=${2:-debug}
# The clone (make runs there) and this directory (the example sources).
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

$make_cmd --no-print-directory -C "$root" install-c PREFIX="$prefix" C_PROFILE="$profile" >/dev/null
for f in lib/libvoucherkit.a lib/libvoucherkit.so include/voucherkit.h include/voucherkit.hpp \
         include/voucherkit/testing.h \
         lib/pkgconfig/voucherkit.pc lib/cmake/voucherkit/voucherkitConfig.cmake \
         lib/cmake/voucherkit/voucherkitConfigVersion.cmake; do
  [ -e "$prefix/$f" ] || { echo "install test: $f not installed" >&2; exit 1; }
done
# voucherkit.hpp includes its parts from voucherkit/: every one must be installed.
for part in "$here"/../include/voucherkit/*.hpp; do
  f=include/voucherkit/$(basename "$part")
  [ -e "$prefix/$f" ] || { echo "install test: $f not installed" >&2; exit 1; }
done
echo "install test: installed into a temporary prefix"

# The version the installed header declares; the SONAME and file names follow it.
header=$(<"$prefix/include/voucherkit.h")
major=$(sed -n 's/^#define VOUCHERKIT_VERSION_MAJOR \([0-9][0-9]*\)$/\1/p' <<<"$header")
version=$(sed -n 's/^#define VOUCHERKIT_VERSION_STRING "\(.*\)"$/\1/p' <<<"$header")
[ -n "$major" ] && [ -n "$version" ] || { echo "install test: no version macros in voucherkit.h" >&2; exit 1; }
soname="libvoucherkit.so.$major"
real="libvoucherkit.so.$version"
lib="$prefix/lib"
[ -f "$lib/$real" ] && [ ! -L "$lib/$real" ] || { echo "install test: $real is not a regular file" >&2; exit 1; }
# Each link: a symlink, to the expected name (relative, so the prefix can move), resolving
# to the real file.
check_link() {
  local link=$1 target=$2 got
  [ -L "$lib/$link" ] || { echo "install test: $link is not a symlink" >&2; exit 1; }
  got=$(readlink "$lib/$link")
  [ "$got" = "$target" ] || { echo "install test: $link -> $got, not $target" >&2; exit 1; }
  [ "$(readlink -f "$lib/$link")" = "$(readlink -f "$lib/$real")" ] \
    || { echo "install test: $link does not resolve to $real" >&2; exit 1; }
}
check_link "$soname" "$real"
check_link libvoucherkit.so "$soname"
# readelf's output is captured before matching, never piped into grep -q (see ldd below).
dyn=$(readelf -d "$lib/$real")
case "$dyn" in
  *"(SONAME)"*"Library soname: [$soname]"*) ;;
  *) printf 'install test: %s has no SONAME %s:\n%s\n' "$real" "$soname" "$dyn" >&2; exit 1 ;;
esac
# A shared build must depend on the SONAME, never on the dev link or the full version.
check_needed() {
  local exe=$1 dyn
  dyn=$(readelf -d "$exe")
  case "$dyn" in
    *"(NEEDED)"*"Shared library: [$soname]"*) ;;
    *) printf 'install test: %s does not record NEEDED %s:\n%s\n' "$exe" "$soname" "$dyn" >&2; exit 1 ;;
  esac
  case "$dyn" in
    *"[libvoucherkit.so]"* | *"[$real]"*)
      printf 'install test: %s records an unversioned or full-version libvoucherkit:\n%s\n' "$exe" "$dyn" >&2; exit 1 ;;
  esac
}
echo "install test: $real with SONAME $soname, $soname and libvoucherkit.so symlinks"

# vk_debug_panic exists only in the C tests' own build (the `test-panic` feature): the
# installed libraries and header must not carry it. Captured first, as above.
syms=$(nm -D --defined-only "$lib/$real"; nm --defined-only "$lib/libvoucherkit.a" 2>/dev/null)
case "$syms" in
  *vk_debug_panic*) echo "install test: the installed library exports vk_debug_panic" >&2; exit 1 ;;
esac
case "$syms" in
  *" T vk_smartgift_redeem"*) ;;
  *) echo "install test: no vk_smartgift_redeem in the installed library's symbols" >&2; exit 1 ;;
esac
case "$header" in
  *vk_debug_panic*) echo "install test: the installed voucherkit.h declares vk_debug_panic" >&2; exit 1 ;;
esac
echo "install test: no test-only symbol installed"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic)
# shellcheck disable=SC2046
cc "${cflags[@]}" "$here/example.c" -o "$tmp/example_shared" $(pkg-config --cflags --libs voucherkit)
check_needed "$tmp/example_shared"
LD_LIBRARY_PATH="$prefix/lib" "$tmp/example_shared"
# ldd's output is captured first: `ldd | grep -q` under pipefail fails at random when grep
# exits on the first match and ldd is killed by SIGPIPE while still writing.
deps=$(LD_LIBRARY_PATH="$prefix/lib" ldd "$tmp/example_shared")
case "$deps" in
  *"$soname => $prefix/lib/$soname "*) ;;
  *) printf 'install test: the shared build does not use the installed libvoucherkit.so:\n%s\n' "$deps" >&2; exit 1 ;;
esac
# shellcheck disable=SC2046
cc "${cflags[@]}" "$here/example.c" -o "$tmp/example_static" \
  $(pkg-config --cflags voucherkit) "$prefix/lib/libvoucherkit.a" $(pkg-config --static --libs-only-l voucherkit | sed 's/-lvoucherkit//')
deps=$(ldd "$tmp/example_static")
case "$deps" in
  *libvoucherkit*) printf 'install test: the static build links libvoucherkit.so:\n%s\n' "$deps" >&2; exit 1 ;;
esac
"$tmp/example_static"
echo "install test: pkg-config builds (shared and static) ran"

cmake -S "$here/example_cmake" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
check_needed "$tmp/cmake/example_shared"
check_needed "$tmp/cmake/example_cpp"
LD_LIBRARY_PATH="$prefix/lib" "$tmp/cmake/example_shared"
"$tmp/cmake/example_static"
LD_LIBRARY_PATH="$prefix/lib" "$tmp/cmake/example_cpp"
echo "install test: CMake find_package(voucherkit) builds (shared, static, C++) ran"
echo "install test: 1 passed, 0 failed"
