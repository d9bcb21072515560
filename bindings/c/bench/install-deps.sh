#!/usr/bin/env bash
# bindings/c/bench only: libcurl and cJSON for the reference client (curl_redeem.c), docs/performance.md's
# "C libcurl easy handle reused + cJSON". Not in .ci or `make test`: nothing but the bench
# needs them, and CI does not run the bench. Idempotent, like .ci/install-c.sh: installs
# only what `dpkg -s` says is missing.
set -euo pipefail
need=()
for pkg in pkg-config libcurl4-openssl-dev libcjson-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "bench-c: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
