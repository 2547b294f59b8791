#!/usr/bin/env bash
# Install what the project needs into .venv (plain virtual environment at the repo root).
#   scripts/setup.sh run    -> training + service + dashboard packages
#   scripts/setup.sh test   -> everything, plus Debian Chromium and axe-core for browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
role="${1:-run}"
PY="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$role-$(cat requirements/*.txt | sha256sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  if [ "$role" = "test" ]; then
    .venv/bin/pip install --disable-pip-version-check -q -r requirements/dev.txt
  else
    .venv/bin/pip install --disable-pip-version-check -q -r requirements/training.txt -r requirements/dashboard.txt
  fi
  touch "$stamp"
fi
# The repository itself, editable (no copy): `python -m training`, `python -m model_service`, ... work from
# any directory without PYTHONPATH. Dependencies come from requirements/*.txt above, hence --no-deps.
.venv/bin/pip install --disable-pip-version-check -q --no-deps -e .

if [ "$role" = "test" ]; then
  # Debian's Chromium + ChromeDriver (browser tests), shellcheck (the shell-script lint test) and
  # PostgreSQL (the storage tests start a throw-away cluster from /usr/lib/postgresql/<ver>/bin),
  # redis-server (the security tests start a throw-away Redis: counters shared by two "dynos").
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 \
     || ! command -v shellcheck >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
     || ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver shellcheck postgresql redis-server >/dev/null
  fi
  if [ ! -f node_modules/axe-core/axe.min.js ]; then
    npm ci --no-audit --no-fund --silent 2>/dev/null || npm install --no-audit --no-fund --silent
  fi
fi
