#!/usr/bin/env bash
# Debian's Dovecot (IMAP and POP3) for the e-mail connector tests. The tests run their own
# server under a temp folder on free loopback ports (tests/support/dovecot.py); the service the
# package ships is not used (where policy-rc.d is in place, the install does not start it).
set -euo pipefail
installed() { [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/pop3 ]; }
installed && exit 0
echo "installing Debian's dovecot-imapd and dovecot-pop3d for the e-mail connector tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  dovecot-imapd dovecot-pop3d >/dev/null
installed || { echo "dovecot is still missing after the install" >&2; exit 1; }
