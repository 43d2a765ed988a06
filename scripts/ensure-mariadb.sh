#!/usr/bin/env bash
# Make sure MariaDB answers on 127.0.0.1:3306 (root without password over TCP, database `test`)
# for the SQL connector tests; install Debian's mariadb-server if it is missing.
set -euo pipefail
HOST=127.0.0.1 PORT=3306
ready() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }
if ! ready; then
  if ! command -v mariadbd >/dev/null 2>&1 && ! command -v mysqld >/dev/null 2>&1; then
    echo "MariaDB is not installed; installing it" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
  fi
  echo "starting MariaDB"
  service mariadb start >/dev/null 2>&1 || service mysql start >/dev/null 2>&1 || true
  for _ in $(seq 1 120); do ready && break; sleep 0.5; done
fi
ready || { echo "MariaDB does not answer on $HOST:$PORT" >&2; exit 1; }
if ! mysql -h "$HOST" -P "$PORT" -uroot -e "SELECT 1" >/dev/null 2>&1; then
  # A fresh Debian install lets root in over the local socket only: allow it on loopback TCP.
  mysql -uroot -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; \
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
fi
mysql -h "$HOST" -P "$PORT" -uroot -e "CREATE DATABASE IF NOT EXISTS test"
