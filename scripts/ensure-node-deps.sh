#!/usr/bin/env bash
# npm packages used only by tests (feelin, Camunda's template schema and templates).
set -euo pipefail
cd "$(dirname "$0")/../tests/node"
[ -f package.json ] || exit 0
stamp=node_modules/.stamp-$(cksum < package.json | cut -d' ' -f1)
[ -f "$stamp" ] && exit 0
npm install --no-audit --no-fund --loglevel=error
rm -f node_modules/.stamp-* && touch "$stamp"
