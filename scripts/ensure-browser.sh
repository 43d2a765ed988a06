#!/usr/bin/env bash
# Debian's Chromium for the Playwright browser tests (Playwright cannot download its own here).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
echo "installing Debian's chromium for the browser tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
