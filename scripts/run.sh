#!/usr/bin/env bash
# Migrates, loads the demo council and serves it: gunicorn, a Celery worker and beat.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local
bash scripts/ensure_dotenv.sh
set -a; source .env; source .local/services.env; set +a
PORT=${PORT:-8000}
PY=.venv/bin/python

$PY manage.py migrate --no-input
$PY manage.py seed_demo
$PY manage.py load_packs
$PY manage.py load_document_templates
$PY manage.py seed_demo_work
$PY manage.py collectstatic --no-input --verbosity 0

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/celery -A casemgmt worker --loglevel=WARNING --concurrency=2 -Q default,documents,finance,reporting > .local/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A casemgmt beat --loglevel=WARNING --schedule=.local/celerybeat-schedule > .local/beat.log 2>&1 &
pids+=($!)
.venv/bin/gunicorn casemgmt.wsgi --bind 127.0.0.1:$PORT --workers 3 --access-logfile - --error-logfile - > .local/web.log 2>&1 &
pids+=($!)

for _ in $(seq 1 30); do
  curl -fs "http://127.0.0.1:$PORT/healthz/" >/dev/null 2>&1 && break
  sleep 1
done

cat <<MSG

  casemgmt is running at http://127.0.0.1:$PORT/

  Demo logins (password for all: $(.venv/bin/python manage.py seed_demo --print-password)):
$(.venv/bin/python manage.py seed_demo --print-logins)
  Each login then asks for a 6-digit code. Without a phone, print it with:
    .venv/bin/python manage.py demo_code <username>
  (development only: it needs DEBUG=1, and works for the demo logins above).

  Logs: .local/web.log, .local/worker.log, .local/beat.log. Press Ctrl+C to stop.

MSG
wait "${pids[@]}"
