"""Vault token lifecycle: login (token, AppRole, Kubernetes), renewal and re-login.

Everything here is blocking (hvac) and runs in the Vault provider's thread pool; a lock keeps
concurrent threads from logging in at the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import hvac
import hvac.exceptions

AuthMethod = Literal["token", "approle", "kubernetes"]


@dataclass(frozen=True)
class TokenState:
    token: str
    issued_ttl: float  # seconds granted at login (0: never expires)
    expires_at: float | None  # clock time; None: never expires
    refresh_at: float | None  # when to renew or log in again; None: never
    renewable: bool


class VaultAuthError(Exception):
    """Login or token lookup failed; the message names the method and the reason."""


class VaultAuth:
    """Holds the current token and keeps it valid."""

    def __init__(
        self,
        method: AuthMethod,
        *,
        token: str | None = None,
        role_id: str | None = None,
        secret_id: str | None = None,
        kubernetes_role: str | None = None,
        kubernetes_token_path: str = "/var/run/secrets/kubernetes.io/serviceaccount/token",
        mount: str | None = None,
        renew_before: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.method = method
        self._static_token = token
        self._role_id = role_id
        self._secret_id = secret_id
        self._k8s_role = kubernetes_role
        self._k8s_token_path = kubernetes_token_path
        self.mount = mount or {"approle": "approle", "kubernetes": "kubernetes"}.get(method, "")
        self._renew_before = renew_before
        self._clock = clock
        self._lock = threading.Lock()
        self._state: TokenState | None = None
        self.logins = 0
        self.renewals = 0
        self.last_error: str | None = None

    @property
    def can_login(self) -> bool:
        return self.method != "token"

    @property
    def state(self) -> TokenState | None:
        return self._state

    def refresh_due_in(self) -> float | None:
        """Seconds until the token should be renewed (0: now); None: never."""
        state = self._state
        if state is None:
            return 0.0
        if state.refresh_at is None:
            return None
        return max(0.0, state.refresh_at - self._clock())

    def token(self, client: hvac.Client) -> str:
        """A valid token, renewing or logging in first when due."""
        state = self._state
        if state is not None and not self._due(state):
            return state.token
        with self._lock:
            state = self._state
            if state is None or self._due(state):
                self._refresh(client)
            assert self._state is not None
            return self._state.token

    def _due(self, state: TokenState) -> bool:
        return state.refresh_at is not None and self._clock() >= state.refresh_at

    def refresh_if_due(self, client: hvac.Client) -> None:
        self.token(client)

    def invalidate(self, failed_token: str) -> bool:
        """Vault refused ``failed_token``: forget it so the next call logs in again.

        Returns whether a retry can help (only login methods can get a new token).
        """
        if not self.can_login:
            return False
        with self._lock:
            if self._state is not None and self._state.token == failed_token:
                self._state = None
        return True

    def _refresh(self, client: hvac.Client) -> None:
        state = self._state
        try:
            if state is None:
                self._state = self._login(client) if self.can_login else self._lookup(client)
            elif state.renewable:
                self._state = self._renew_or_login(client, state)
            elif self.can_login:
                self._state = self._login(client)
            else:
                # A static token that cannot be renewed: nothing to do until it expires.
                self._state = TokenState(
                    state.token, state.issued_ttl, state.expires_at, None, False
                )
            self.last_error = None
        except VaultAuthError as exc:
            self.last_error = str(exc)
            raise
        except Exception as exc:
            self.last_error = f"{self.method} authentication failed: {_describe(exc)}"
            raise

    def _renew_or_login(self, client: hvac.Client, state: TokenState) -> TokenState:
        started = self._clock()
        try:
            client.token = state.token
            auth = client.auth.token.renew_self()["auth"]
        except (hvac.exceptions.VaultError, KeyError, TypeError) as exc:
            if self.can_login:
                return self._login(client)
            raise VaultAuthError(f"token renewal failed: {_describe(exc)}") from None
        self.renewals += 1
        renewed = self._state_from(state.token, auth, started, issued_ttl=state.issued_ttl)
        granted = float(auth.get("lease_duration") or 0)
        capped = 0 < granted < state.issued_ttl
        if self.can_login and capped and granted <= 2 * self._margin(state.issued_ttl):
            # The token is near its max TTL and renewal no longer extends it: get a fresh one.
            return self._login(client)
        return renewed

    def _login(self, client: hvac.Client) -> TokenState:
        started = self._clock()
        try:
            if self.method == "approle":
                if not self._role_id:
                    raise VaultAuthError("approle login needs SWITCHBOARD_VAULT_ROLE_ID")
                response = client.auth.approle.login(
                    role_id=self._role_id,
                    secret_id=self._secret_id,
                    use_token=False,
                    mount_point=self.mount,
                )
            elif self.method == "kubernetes":
                if not self._k8s_role:
                    raise VaultAuthError("kubernetes login needs SWITCHBOARD_VAULT_KUBERNETES_ROLE")
                try:
                    jwt = Path(self._k8s_token_path).read_text().strip()
                except OSError as exc:
                    raise VaultAuthError(
                        f"kubernetes login cannot read the service-account token "
                        f"{self._k8s_token_path}: {exc.strerror or type(exc).__name__}"
                    ) from None
                response = client.auth.kubernetes.login(
                    self._k8s_role, jwt, use_token=False, mount_point=self.mount
                )
            else:  # pragma: no cover - guarded by can_login
                raise VaultAuthError(f"{self.method} cannot log in")
            auth = response["auth"]
            token = auth["client_token"]
        except hvac.exceptions.VaultError as exc:
            raise VaultAuthError(f"{self.method} login failed: {_describe(exc)}") from None
        except (KeyError, TypeError):
            raise VaultAuthError(f"{self.method} login returned no token") from None
        self.logins += 1
        granted = float(auth.get("lease_duration") or 0)
        return self._state_from(token, auth, started, issued_ttl=granted)

    def _lookup(self, client: hvac.Client) -> TokenState:
        if not self._static_token:
            raise VaultAuthError("token auth needs VAULT_TOKEN")
        started = self._clock()
        try:
            client.token = self._static_token
            data = client.auth.token.lookup_self()["data"]
        except hvac.exceptions.VaultError as exc:
            raise VaultAuthError(f"token lookup failed: {_describe(exc)}") from None
        ttl = float(data.get("ttl") or 0)
        creation_ttl = float(data.get("creation_ttl") or ttl)
        auth = {"lease_duration": ttl, "renewable": bool(data.get("renewable"))}
        return self._state_from(self._static_token, auth, started, issued_ttl=creation_ttl)

    def _state_from(
        self, token: str, auth: dict[str, Any], started: float, issued_ttl: float
    ) -> TokenState:
        ttl = float(auth.get("lease_duration") or 0)
        renewable = bool(auth.get("renewable"))
        if ttl <= 0:
            return TokenState(token, 0.0, None, None, renewable)
        expires_at = started + ttl
        margin = self._margin(issued_ttl or ttl)
        return TokenState(token, issued_ttl or ttl, expires_at, expires_at - margin, renewable)

    def _margin(self, ttl: float) -> float:
        """Refresh this long before expiry: once two thirds of the TTL have passed, and at
        least ``renew_before`` ahead (but never earlier than half-way)."""
        return max(ttl / 3, min(self._renew_before, ttl / 2))

    def status(self) -> dict[str, Any]:
        state = self._state
        info: dict[str, Any] = {
            "auth_method": self.method,
            "authenticated": state is not None,
            "logins": self.logins,
            "renewals": self.renewals,
        }
        if state is not None and state.expires_at is not None:
            info["token_expires_in_seconds"] = round(max(0.0, state.expires_at - self._clock()), 1)
        if self.last_error:
            info["last_error"] = self.last_error
        return info


def _describe(exc: BaseException) -> str:
    """A short reason from an hvac error: Vault's own messages, never request data."""
    if isinstance(exc, hvac.exceptions.VaultError):
        errors = [str(e).strip() for e in (exc.errors or []) if str(e).strip()]
        status = {
            hvac.exceptions.InvalidRequest: "400",
            hvac.exceptions.Unauthorized: "401",
            hvac.exceptions.Forbidden: "403",
            hvac.exceptions.InvalidPath: "404",
            hvac.exceptions.RateLimitExceeded: "429",
            hvac.exceptions.InternalServerError: "500",
            hvac.exceptions.BadGateway: "502",
            hvac.exceptions.VaultDown: "503",
        }.get(type(exc))
        text = "; ".join(errors)[:300] or type(exc).__name__
        return f"HTTP {status}: {text}" if status else text
    return type(exc).__name__
