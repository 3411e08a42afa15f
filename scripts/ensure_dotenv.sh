#!/usr/bin/env bash
# A development-only .env (random SECRET_KEY, DEBUG on), made on this machine and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .env ]; then
  key=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
  printf 'SECRET_KEY=%s\nDEBUG=1\n' "$key" > .env
  chmod 600 .env
  echo "wrote a development .env (never commit it)"
fi
