#!/bin/sh
# Container entrypoint of the Switchboard image.
#
#   serve [args]      run `switchboard migrate` (unless SWITCHBOARD_MIGRATE_ON_START=false),
#                     then replace this shell with `switchboard serve [args]`
#   <subcommand> ...  any other switchboard subcommand (migrate, connectors, invoke, ...)
#   <program> ...     any program on PATH (sh, python, ...), for debugging
#
# `exec` matters: the server becomes PID 1 and receives SIGTERM from `docker stop` directly.
# Concurrent replicas may all migrate at start: `switchboard migrate` holds a PostgreSQL
# advisory lock, so they run one after the other and the later ones find nothing to do.
set -eu

if [ "$#" -eq 0 ]; then
    set -- serve
fi

case "$1" in
    serve)
        case "${SWITCHBOARD_MIGRATE_ON_START:-true}" in
            true | 1 | yes) switchboard migrate ;;
            false | 0 | no) ;;
            *)
                echo "switchboard-entrypoint: SWITCHBOARD_MIGRATE_ON_START must be true or false," \
                    "got '${SWITCHBOARD_MIGRATE_ON_START}'" >&2
                exit 2
                ;;
        esac
        exec switchboard "$@"
        ;;
    -*)
        exec switchboard "$@"
        ;;
esac

if command -v -- "$1" >/dev/null 2>&1; then
    exec "$@"
fi
exec switchboard "$@"
