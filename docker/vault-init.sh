#!/bin/sh
# One-shot initialisation of the development Vault of docker-compose.yml: waits for Vault,
# makes sure a KV version 2 engine is mounted, and writes the sample secrets into one KV
# secret, without ever printing a value.
#
# Environment:
#   VAULT_ADDR, VAULT_TOKEN          read by the Vault CLI itself
#   VAULT_INIT_MOUNT                 KV v2 mount (default: secret, the dev server's own)
#   VAULT_INIT_PATH                  secret path inside the mount (default: switchboard)
#   VAULT_INIT_SECRET_<NAME>=<value> one key NAME of that secret per variable
#   VAULT_INIT_TIMEOUT_SECONDS       how long to wait for Vault to answer (default: 60)
#   VAULT_CLI                        the CLI to run (default: vault; OpenBao's bao works too)
#
# Existing keys of the secret that are not named here are kept (kv patch), so re-running
# the script against a persistent Vault does not wipe secrets an operator added.
set -eu

cli="${VAULT_CLI:-vault}"
mount="${VAULT_INIT_MOUNT:-secret}"
secret_path="${VAULT_INIT_PATH:-switchboard}"
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
case "$mount$secret_path" in
    *[!A-Za-z0-9_/.-]* | '')
        log "VAULT_INIT_MOUNT and VAULT_INIT_PATH may only contain letters, digits and _ - . /"
        exit 2
        ;;
esac

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

# Build "NAME=value" arguments; the names were checked by the sed pattern above.
set --
count=0
listed=""
for name in $names; do
    count=$((count + 1))
    listed="${listed} ${name}"
    eval "value=\${VAULT_INIT_SECRET_${name}}"
    # shellcheck disable=SC2154  # value is assigned by the eval above
    set -- "$@" "${name}=${value}"
done

if "$cli" kv get -mount="$mount" "$secret_path" >/dev/null 2>&1; then
    "$cli" kv patch -mount="$mount" "$secret_path" "$@" >/dev/null
else
    "$cli" kv put -mount="$mount" "$secret_path" "$@" >/dev/null
fi

log "wrote ${count} key(s) to ${mount}/${secret_path}:${listed}"
