#!/usr/bin/env bash
# C/C++ binding: system packages for bindings/c/tests (compilers, CMake, pkg-config,
# valgrind, nlohmann-json for the conformance runner). Idempotent: installs only what
# `dpkg -s` says is missing, and runs `apt-get update` at most once.
set -euo pipefail
need=()
for pkg in gcc g++ make cmake pkg-config valgrind nlohmann-json3-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "install-c: all present"
  exit 0
fi
echo "install-c: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
