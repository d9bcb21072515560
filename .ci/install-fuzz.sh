#!/usr/bin/env bash
# Fuzzing: cargo-fuzz, from crates.io, when missing. Idempotent. The fuzz targets also
# need a nightly toolchain, which cannot be fetched on a CI machine: without one this
# step only says so, and `make test` skips fuzz-smoke with a message (fuzz/fuzz.mk).
set -euo pipefail
# Looked up, not run: running a missing toolchain may try to download it. Captured, not
# piped into grep -q: under pipefail a SIGPIPE would fail the check at random.
toolchains=$(rustup toolchain list 2>/dev/null || true)
if ! grep -q '^nightly' <<<"$toolchains"; then
  echo "install-fuzz: no nightly toolchain; fuzz-smoke will be skipped"
  exit 0
fi
if cargo fuzz --version >/dev/null 2>&1; then
  echo "install-fuzz: $(cargo fuzz --version)"
  exit 0
fi
echo "install-fuzz: installing cargo-fuzz"
cargo install cargo-fuzz --locked
