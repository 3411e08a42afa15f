#!/usr/bin/env bash
# Finds PostgreSQL and Redis, or starts them, and writes their URLs to .local/services.env.
#
# PostgreSQL: $DATABASE_URL if set; else a server on 127.0.0.1:5432; else the machine's
# Debian cluster (pg_ctlcluster); else a private cluster under .local/postgres built with
# the system's PostgreSQL binaries (installed with apt-get when missing and we are root).
# Redis: $REDIS_URL if set; else 127.0.0.1:6379; else a redis-server started here.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local
out=.local/services.env
: > "$out"

port_open() { python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print("open")
except OSError:
    pass
PY
}

as_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  if as_root && command -v apt-get >/dev/null; then
    echo "installing $* from Debian's packages" >&2
    (apt-get install -y -qq "$@" >/dev/null 2>&1) || (apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null)
  else
    echo "cannot install $*: run as root, or start it yourself and set the URL" >&2
    return 1
  fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && echo "$dir"
}

wait_for() {  # host port seconds
  for _ in $(seq 1 "$3"); do
    [ -n "$(port_open "$1" "$2")" ] && return 0
    sleep 1
  done
  return 1
}

# --- PostgreSQL ---------------------------------------------------------------
if [ -n "${DATABASE_URL:-}" ]; then
  database_url=$DATABASE_URL
elif [ -n "$(port_open 127.0.0.1 5432)" ]; then
  database_url=postgres://postgres@127.0.0.1:5432/casemgmt
else
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql/*/main >/dev/null 2>&1 && as_root; then
    echo "starting the machine's PostgreSQL cluster" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  fi
  if wait_for 127.0.0.1 5432 10; then
    database_url=postgres://postgres@127.0.0.1:5432/casemgmt
  else
    bin=$(pg_bin || true)
    if [ -z "$bin" ]; then apt_install postgresql postgresql-contrib; bin=$(pg_bin); fi
    data=$PWD/.local/postgres
    port=54329
    if [ ! -f "$data/PG_VERSION" ]; then
      echo "creating a private PostgreSQL cluster in $data" >&2
      mkdir -p "$data"
      if as_root; then chown -R postgres "$data"; run=(runuser -u postgres --); else run=(); fi
      "${run[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if [ -z "$(port_open 127.0.0.1 $port)" ]; then
      if as_root; then run=(runuser -u postgres --); else run=(); fi
      "${run[@]}" "$bin/pg_ctl" -D "$data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -l "$data/server.log" -w start >/dev/null
    fi
    database_url=postgres://postgres@127.0.0.1:$port/casemgmt
  fi
fi
echo "DATABASE_URL=$database_url" >> "$out"

# --- Redis --------------------------------------------------------------------
if [ -n "${REDIS_URL:-}" ]; then
  redis_url=$REDIS_URL
else
  if [ -z "$(port_open 127.0.0.1 6379)" ]; then
    command -v redis-server >/dev/null || apt_install redis-server
    echo "starting redis-server on 127.0.0.1:6379" >&2
    mkdir -p .local/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "$PWD/.local/redis" --logfile "$PWD/.local/redis/redis.log"
    wait_for 127.0.0.1 6379 10 || { echo "redis did not start" >&2; exit 1; }
  fi
  redis_url=redis://127.0.0.1:6379/0
fi
echo "REDIS_URL=$redis_url" >> "$out"

# The database named in the URL must exist (the test run creates its own test_ copy).
"${PYTHON:-.venv/bin/python}" - "$database_url" <<'PY'
import sys
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

url = urlparse(sys.argv[1])
name = url.path.lstrip("/") or "casemgmt"
admin_url = urlunparse(url._replace(path="/postgres"))
try:
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
except psycopg.Error as error:
    sys.exit(f"cannot reach PostgreSQL at {sys.argv[1]}: {error}")
PY
cat "$out" >&2
