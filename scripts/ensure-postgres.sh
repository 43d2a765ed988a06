#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 and the test database exists, empty.
set -euo pipefail
HOST=127.0.0.1 PORT=5432 DB=${SWITCHBOARD_TEST_DB:-switchboard_test}
ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }
if ! ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  else
    echo "PostgreSQL is not installed; installing it" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
fi
ready || { echo "PostgreSQL does not answer on $HOST:$PORT" >&2; exit 1; }
psql_() { psql -h "$HOST" -p "$PORT" -U postgres -tA "$@"; }
# A fresh test database on every run: a schema left behind by an earlier run (another branch's
# migrations, an interrupted downgrade) must never decide what this run sees.
psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql_ -d postgres -c "CREATE DATABASE $DB" >/dev/null
echo "created a fresh database $DB"
