"""Signed session cookies and CSRF tokens for the admin UI.

The cookie holds the API key's id, an expiry and a random nonce, signed with HMAC-SHA256;
the key itself never leaves the sign-in request. Every request re-checks that the key is
still active, so revoking a key ends its sessions. The CSRF token of a form is an HMAC of
the session's nonce (before sign-in: of a random cookie), checked on every POST.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

SESSION_COOKIE = "sb_session"
LOGIN_COOKIE = "sb_login"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    key_id: str
    expires: int
    nonce: str


class SessionSigner:
    """Signs and verifies session cookies and derives CSRF tokens."""

    def __init__(self, secret: bytes | None = None, max_age_seconds: int = 8 * 3600) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self.max_age = max_age_seconds

    def _mac(self, purpose: str, payload: str) -> str:
        message = f"{purpose}|{payload}".encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def issue(self, key_id: str) -> str:
        body = {"k": key_id, "e": int(time.time()) + self.max_age, "n": secrets.token_hex(16)}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac('session', payload)}"

    def verify(self, cookie: str | None) -> Session | None:
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        try:
            body = json.loads(_unb64(payload))
            session = Session(str(body["k"]), int(body["e"]), str(body["n"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > time.time() else None

    def csrf_token(self, nonce: str) -> str:
        return self._mac("csrf", nonce)

    def check_csrf(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(token, self.csrf_token(nonce))


def new_nonce() -> str:
    return secrets.token_hex(16)
