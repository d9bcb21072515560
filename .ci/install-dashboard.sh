#!/usr/bin/env bash
# The dashboard's browser test (sandbox/sandbox.mk): Debian's headless Chromium and
# Playwright for Python in the project's .venv. Playwright's own browser download is
# never used: the test launches /usr/bin/chromium. Idempotent: skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PLAYWRIGHT="playwright==1.65.2"

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi

if [ ! -x .venv/bin/python ]; then
  bash .ci/install-python.sh
fi
if .venv/bin/python -c "import sys; from importlib.metadata import version; sys.exit(version('playwright') != '${PLAYWRIGHT#*==}')" 2>/dev/null; then
  echo "$PLAYWRIGHT already installed in .venv"
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$PLAYWRIGHT"
fi
