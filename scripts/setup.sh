#!/usr/bin/env bash
# Everything a fresh Debian machine with Python 3.11 needs: system packages,
# a virtual environment in .venv, the project installed editable with its
# test extras. Safe to run again; it only installs what is missing.
#
#   scripts/setup.sh             the demo hall and the test suite (also PostgreSQL,
#                                Redis, Chromium, sox, zbar; scripts/services.sh starts them)
#   scripts/setup.sh --runtime   a hall PC: only what the server itself needs
#
# Runtime packages: python3-venv (Debian's python3 has no venv without it),
# espeak-ng (voice), fonts-wqy-zenhei (Chinese on raster slips), libusb-1.0-0
# (USB printers, through pyusb). The tests also need nodejs and npm: npm installs
# tests/package.json's pinned axe-core (accessibility checks injected into pages).
set -euo pipefail
cd "$(dirname "$0")/.."

runtime=(python3-venv espeak-ng libespeak-ng1 fonts-wqy-zenhei libusb-1.0-0)
want=("${runtime[@]}" sox zbar-tools chromium postgresql redis-server)
[ "${1:-}" = "--runtime" ] && want=("${runtime[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js by its command, not its package: a NodeSource nodejs carries its own npm, and
# Debian's npm package cannot be installed beside it ("held broken packages").
if [ "${1:-}" != "--runtime" ] && ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel
extras="[test]"; [ "${1:-}" = "--runtime" ] && extras=""
.venv/bin/python -m pip install -q -e ".${extras}"

# axe-core for the browser tests, at the version tests/package-lock.json pins (npm ci only when it differs).
if [ "${1:-}" != "--runtime" ]; then
  want_axe=$(node -p 'require("./tests/package-lock.json").packages["node_modules/axe-core"].version')
  have_axe=$(node -p 'try { require("./tests/node_modules/axe-core/package.json").version } catch { "" }')
  [ "$want_axe" = "$have_axe" ] || (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
