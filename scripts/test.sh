#!/usr/bin/env bash
# Set up (scripts/setup.sh), make sure PostgreSQL and Redis answer, run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh
exec .venv/bin/python -m pytest "$@"
