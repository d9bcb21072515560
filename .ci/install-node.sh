#!/usr/bin/env bash
# Node tooling for the voucherkit npm package (bindings/node/node.mk): Node ≥ 18 with npm,
# and the package's pinned dev dependencies (@napi-rs/cli, TypeScript) from
# bindings/node/package-lock.json.
# Idempotent: skips npm ci when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "Node >= 18 is required (found $(node --version))" >&2
  exit 1
fi

cd bindings/node
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
  && [ -x node_modules/.bin/napi ] && [ -x node_modules/.bin/tsc ]; then
  echo "node_modules already installed"
else
  npm ci --no-audit --no-fund
fi
node --version
npx napi --version
npx tsc --version
