#!/bin/sh
# One-shot initialisation of the development Vault of docker-compose.yml: waits for Vault,
# makes sure a KV version 2 engine is mounted, and writes the sample secrets where
# Switchboard's Vault provider looks for them, without ever printing a value.
#
# Environment:
#   VAULT_ADDR, VAULT_TOKEN          read by the Vault CLI itself
#   VAULT_INIT_MOUNT                 KV v2 mount (default: secret, the dev server's own);
#                                    Switchboard reads SWITCHBOARD_VAULT_MOUNT
#   VAULT_INIT_PATH_PREFIX           path below the mount (default: switchboard; may be
#                                    empty); Switchboard reads SWITCHBOARD_VAULT_PATH_PREFIX
#   VAULT_INIT_SECRET_<NAME>=<value> the secret NAME, i.e. {{secrets.NAME}} in a process:
#                                    written as key "value" of the KV secret PREFIX/NAME
#   VAULT_INIT_TIMEOUT_SECONDS       how long to wait for Vault to answer (default: 60)
#   VAULT_CLI                        the CLI to run (default: vault; OpenBao's bao works too)
#
# Each run writes a new version of each named secret; other secrets are left alone.
set -eu

cli="${VAULT_CLI:-vault}"
mount="${VAULT_INIT_MOUNT:-secret}"
prefix="${VAULT_INIT_PATH_PREFIX-switchboard}"
timeout="${VAULT_INIT_TIMEOUT_SECONDS:-60}"

log() {
    echo "vault-init: $*" >&2
}

case "$timeout" in
    '' | *[!0-9]*)
        log "VAULT_INIT_TIMEOUT_SECONDS must be a whole number of seconds, got '$timeout'"
        exit 2
        ;;
esac
case "$mount" in
    *[!A-Za-z0-9_/.-]* | '')
        log "VAULT_INIT_MOUNT must be a non-empty path of letters, digits and _ - . /"
        exit 2
        ;;
esac
case "$prefix" in
    *[!A-Za-z0-9_/.-]*)
        log "VAULT_INIT_PATH_PREFIX may only contain letters, digits and _ - . /"
        exit 2
        ;;
esac
prefix="${prefix%/}"

# Names of the keys to write, from the VAULT_INIT_SECRET_<NAME> variables.
names=$(env | sed -n 's/^VAULT_INIT_SECRET_\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u)
if [ -z "$names" ]; then
    log "no VAULT_INIT_SECRET_<NAME> variable is set: nothing to write"
    exit 2
fi

# `status` exits 0 only once Vault answers and is unsealed.
deadline=$(($(date +%s) + timeout))
until "$cli" status >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        log "Vault at ${VAULT_ADDR:-?} did not become ready within ${timeout}s"
        exit 1
    fi
    sleep 1
done

mounts=$("$cli" secrets list -detailed)
if printf '%s\n' "$mounts" | grep -q "^${mount}/ "; then
    if ! printf '%s\n' "$mounts" | grep "^${mount}/ " | grep -q 'version:2'; then
        log "mount '${mount}/' exists but is not a KV version 2 engine"
        exit 1
    fi
else
    "$cli" secrets enable -path="$mount" -version=2 kv >/dev/null
    log "enabled a KV version 2 engine at '${mount}/'"
fi

count=0
listed=""
for name in $names; do
    # The name was checked by the sed pattern above, so eval only reads that variable.
    eval "value=\${VAULT_INIT_SECRET_${name}}"
    path="${prefix:+${prefix}/}${name}"
    # "value=-" reads the value from stdin: any content (even a leading @, which the CLI
    # would take for a file name) and never on a command line that `ps` shows.
    # shellcheck disable=SC2154  # value is assigned by the eval above
    printf '%s' "$value" | "$cli" kv put -mount="$mount" "$path" value=- >/dev/null
    count=$((count + 1))
    listed="${listed} ${path}"
done

log "wrote ${count} secret(s) to ${mount}/:${listed}"
