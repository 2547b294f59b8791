#!/usr/bin/env bash
# Install everything needed, then run the whole test suite (unit, integration, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if [ -z "${HOME_CREDIT_DATA:-}" ] && [ -d ../shared/data/home-credit ]; then
  export HOME_CREDIT_DATA=../shared/data/home-credit
fi
export DO_NOT_TRACK=true MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-sqlite:///$(mktemp -d)/mlflow.db}"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-artifacts/screenshots}"
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest "$@"
