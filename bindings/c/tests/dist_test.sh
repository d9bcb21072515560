#!/usr/bin/env bash
# `make test-dist-c`: the C tarball as a till developer uses it, with no Rust toolchain.
# Extracts dist/voucherkit-<v>-linux-x86_64.tar.gz into a clean directory, then builds the
# README's C quick start with pkg-config (shared library) and with CMake's
# find_package(voucherkit) (shared, and the static target), runs each against the sandbox
# inside the library, runs the tarball's `voucherkit demo`, and checks the shipped sizes.
# Usage: dist_test.sh <tarball> <version>
set -euo pipefail
tarball=$(realpath "$1")
version=$2
here=$(cd "$(dirname "$0")" && pwd)
readme=$(realpath "$here/../../../README.md")
# shellcheck source=../../../tests/dist/no_rust.sh
source "$(dirname "$0")/../../../tests/dist/no_rust.sh"

tar -xzf "$tarball"
prefix="$work/voucherkit-$version-linux-x86_64"
for f in bin/voucherkit include/voucherkit.h include/voucherkit.hpp lib/libvoucherkit.a \
         "lib/libvoucherkit.so.$version" lib/libvoucherkit.so lib/pkgconfig/voucherkit.pc \
         lib/cmake/voucherkit/voucherkitConfig.cmake LICENSE-MIT LICENSE-APACHE README.md; do
  [ -e "$prefix/$f" ] || { echo "test-dist-c: $f is not in the tarball" >&2; exit 1; }
done
if readelf -S "$prefix/lib/libvoucherkit.so.$version" | grep -q '\.debug_'; then
  echo "test-dist-c: the shipped library carries debug sections" >&2; exit 1
fi

python3 "$here/../../../tests/dist/readme_block.py" "$readme" "## C and C++ quick start" c quickstart.c
expect() {
  local what=$1 out=$2
  echo "$out" | sed "s/^/  $what: /"
  grep -q "The voucher has been redeemed." <<<"$out" \
    && grep -q "voucher_expired: The voucher number provided has expired." <<<"$out" \
    || { echo "test-dist-c: $what did not redeem as the README says" >&2; exit 1; }
}

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion voucherkit)" = "$version" ] \
  || { echo "test-dist-c: pkg-config reports $(pkg-config --modversion voucherkit)" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror quickstart.c $(pkg-config --cflags --libs voucherkit) \
  -Wl,-rpath,"$prefix/lib" -o quickstart_pc
expect "pkg-config (shared)" "$(./quickstart_pc)"

mkdir cmake-till && cat > cmake-till/CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(till C)
find_package(voucherkit REQUIRED)
add_executable(till_shared ../quickstart.c)
target_link_libraries(till_shared PRIVATE voucherkit::voucherkit)
add_executable(till_static ../quickstart.c)
target_link_libraries(till_static PRIVATE voucherkit::voucherkit_static)
CMAKE
cmake -S cmake-till -B cmake-build -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_RPATH="$prefix/lib" >/dev/null
cmake --build cmake-build >/dev/null
expect "CMake (shared)" "$(cmake-build/till_shared)"
expect "CMake (static)" "$(cmake-build/till_static)"

out=$("$prefix/bin/voucherkit" --version)
[ "$out" = "voucherkit $version" ] || { echo "test-dist-c: voucherkit --version says '$out'" >&2; exit 1; }
"$prefix/bin/voucherkit" demo >demo.txt || { cat demo.txt; echo "test-dist-c: voucherkit demo failed" >&2; exit 1; }
echo "  voucherkit demo: $(wc -l <demo.txt) lines, exit 0"

check_size "$prefix/lib/libvoucherkit.so.$version"
print_size "$prefix/lib/libvoucherkit.a"
print_size "$prefix/bin/voucherkit"
print_size "$tarball"
echo "test-dist-c: 4 passed, 0 failed"
