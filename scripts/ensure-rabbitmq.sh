#!/usr/bin/env bash
# Make sure RabbitMQ answers on 127.0.0.1:5672 (guest/guest) for the RabbitMQ connector tests;
# install Debian's rabbitmq-server if it is missing (the tests also run private nodes of it).
set -euo pipefail
HOST=127.0.0.1 PORT=5672
ready() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }
if ! command -v rabbitmq-server >/dev/null 2>&1 || [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  echo "RabbitMQ is not installed; installing it" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi
if ! ready; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached || true
  for _ in $(seq 1 120); do ready && break; sleep 0.5; done
fi
ready || { echo "RabbitMQ does not answer on $HOST:$PORT" >&2; exit 1; }
