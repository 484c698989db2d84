#!/usr/bin/env bash
# The fast local loop: the suite without the browser and slow tests, in the existing
# .venv (editable install: no setup, no reinstall). Extra arguments go to pytest, e.g.
#   scripts/quick.sh tests/broker -x
# scripts/test.sh runs everything (ruff, mypy, browser and slow tests) as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x .venv/bin/python ]]; then
  echo "quick.sh: no .venv here yet: run scripts/test.sh once (it sets up .venv, PostgreSQL and Redis)" >&2
  exit 2
fi
exec .venv/bin/python -m pytest -m "not browser and not slow" --durations=15 "$@"
