#!/usr/bin/env bash
# Install what is needed, train a model if none exists, then run the scoring service
# and the advisor dashboard on this machine. Ctrl-C stops both.
#   HOME_CREDIT_DATA=/path/to/kaggle  -> real data; unset -> seeded synthetic data (said in the UI)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run

export DO_NOT_TRACK=true PYTHONPATH="$PWD"
SERVICE_PORT="${SERVICE_PORT:-8000}"
DASH_PORT="${DASH_PORT:-8050}"
HOST="${HOST:-127.0.0.1}"
mkdir -p var
py=.venv/bin/python
[ -f var/api_key ] || $py -c "import secrets; print(secrets.token_urlsafe(24))" > var/api_key
[ -f var/secret_key ] || $py -c "import secrets; print(secrets.token_hex(32))" > var/secret_key
export API_KEYS="${API_KEYS:-$(cat var/api_key)}"
export SERVICE_API_KEY="${SERVICE_API_KEY:-${API_KEYS%%,*}}"
export SECRET_KEY="${SECRET_KEY:-$(cat var/secret_key)}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/decisions.db}"
export PREDICTION_LOG="${PREDICTION_LOG:-$PWD/var/predictions.jsonl}"
export DRIFT_SUMMARY="${DRIFT_SUMMARY:-$PWD/reports/drift_summary.json}"
export DASHBOARD_USERS_FILE="${DASHBOARD_USERS_FILE:-$PWD/var/users.json}"
export MODEL_BUNDLE="${MODEL_BUNDLE:-$PWD/models}"
export SERVICE_URL="http://127.0.0.1:$SERVICE_PORT"

if [ ! -f "$MODEL_BUNDLE/CURRENT" ] && [ ! -f "$MODEL_BUNDLE/metadata.json" ]; then
  echo "No model bundle yet: training one (fast profile)..."
  $py -m training --fast --out "$MODEL_BUNDLE"
fi

if [ ! -f "$DRIFT_SUMMARY" ]; then
  # a first drift report on the default data (training vs current applicants) so the Monitoring page
  # has one on first start; production figures come from the prediction log as requests arrive
  echo "No drift report yet: building a first one (about a minute)..."
  $py -m reports.drift --bundle "$MODEL_BUNDLE" --out "$(dirname "$DRIFT_SUMMARY")/drift.html" \
    --summary "$DRIFT_SUMMARY" > var/drift.log 2>&1 \
    || echo "  (no drift report: see var/drift.log; the Monitoring page still shows production data)"
fi

if [ ! -f "$DASHBOARD_USERS_FILE" ]; then
  password="$($py -c "import secrets; print(secrets.token_urlsafe(9))")"
  printf '%s\n' "$password" | $py -m dash_app.users add conseiller --password-stdin
  printf '%s\n' "$password" > var/advisor_password
  chmod 600 var/advisor_password
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/gunicorn --preload --workers "${WEB_CONCURRENCY:-2}" --bind "$HOST:$SERVICE_PORT" \
  --access-logfile - model_service.wsgi:app > var/service.log 2>&1 &
pids+=($!)
.venv/bin/gunicorn --preload --workers "${WEB_CONCURRENCY:-2}" --bind "$HOST:$DASH_PORT" \
  dash_app.wsgi:server > var/dashboard.log 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fsS "$SERVICE_URL/health" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$DASH_PORT/login" >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
curl -fsS "$SERVICE_URL/health" >/dev/null || { echo "service failed to start:"; tail -20 var/service.log; exit 1; }
curl -fsS "http://127.0.0.1:$DASH_PORT/login" >/dev/null || { echo "dashboard failed to start:"; tail -20 var/dashboard.log; exit 1; }

cat <<MSG

  Scoring service : $SERVICE_URL   (API docs: $SERVICE_URL/docs, header X-API-Key: $SERVICE_API_KEY)
  Dashboard       : http://$HOST:$DASH_PORT   (user: conseiller, password in var/advisor_password$( [ -f var/advisor_password ] && printf ': %s' "$(cat var/advisor_password)"))
  Data            : ${HOME_CREDIT_DATA:-synthetic (HOME_CREDIT_DATA unset)}
  Logs            : var/service.log, var/dashboard.log      Ctrl-C stops both.

MSG
wait
