#!/usr/bin/env bash
# Set up (scripts/setup.sh), make sure PostgreSQL and Redis answer, run ruff and mypy, then the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh
# Lint and type checks first (settings in pyproject.toml); either failing fails the run.
.venv/bin/ruff check queue tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest --durations=15 "$@"
