#!/usr/bin/env bash
# Everything a fresh Debian machine with Python 3.11 needs: system packages,
# a virtual environment in .venv, the project installed editable with its
# test extras. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want=(espeak-ng libespeak-ng1 sox zbar-tools fonts-wqy-zenhei chromium)
[ "${1:-}" = "--runtime" ] && want=(espeak-ng libespeak-ng1 fonts-wqy-zenhei)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel
extras="[test]"; [ "${1:-}" = "--runtime" ] && extras=""
.venv/bin/python -m pip install -q -e ".${extras}"
