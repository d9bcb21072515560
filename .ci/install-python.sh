#!/usr/bin/env bash
# Python tooling for the voucherkit package (bindings/python/python.mk): a venv at .venv with pinned
# build and test tools. Idempotent: a second run only checks that the pins are satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
VENV=.venv
PINS=(
  "maturin==1.16.0"
  "pytest==9.2.0"
  "mypy==2.4.1"
  "ruff==0.17.6"
  "requests==2.34.2"
  "httpx==0.28.1"
  "psutil==7.2.2"
  # make dist: zig links the manylinux2014 wheel; the wheel's debug info split out
  # (wheel unpack/pack); its manylinux tag checked (auditwheel show).
  "ziglang==0.15.2"
  "wheel==0.45.1"
  "auditwheel==6.4.2"
)

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# Skip the network when every pin is already installed.
if "$VENV/bin/python" - "${PINS[@]}" <<'PYEOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PYEOF
then
  echo "python tools already installed in $VENV"
else
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
fi
"$VENV/bin/python" --version
"$VENV/bin/maturin" --version
