"""API key authentication: ``Authorization: Bearer <key>`` and role checks.

Roles are ordered viewer < operator < admin. No or an unknown key is 401 (with a
``WWW-Authenticate: Bearer`` challenge); a known key with too low a role is 403. Invalid keys
are counted per address and per key fingerprint; past the limit they are answered 429 (see
:mod:`app.ratelimit`), but a valid key is always accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import ServicesDep
from app.api.problems import ProblemError, problem_response
from app.db import apikeys
from app.db.executions_repo import DATABASE_ERRORS
from app.ratelimit import client_address
from app.services import Services

log = logging.getLogger("switchboard.api")

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="switchboard"'}
BOOTSTRAP_NAME = "bootstrap-admin"

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key: `Authorization: Bearer sb_...` (create one with "
    "`switchboard apikey create --role viewer|operator|admin --name NAME`).",
)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the API key's id, name and role."""

    key_id: str
    name: str
    role: str

    def has(self, role: str) -> bool:
        return apikeys.role_rank(self.role) >= apikeys.role_rank(role)


def _bootstrap_key(services: Services) -> str | None:
    secret = services.settings.admin_api_key
    return secret.get_secret_value() if secret is not None else None


async def bootstrap_admin_key(services: Services) -> None:
    """Store SWITCHBOARD_ADMIN_API_KEY (hashed) unless it is stored already."""
    key = _bootstrap_key(services)
    if key is None:
        return
    try:
        await apikeys.ensure_key(
            services.sessions, key=key, name=BOOTSTRAP_NAME, role="admin", origin="environment"
        )
    except DATABASE_ERRORS as exc:
        # Retried on the key's first use; the database may not be up yet.
        log.warning("could not store SWITCHBOARD_ADMIN_API_KEY: %s", type(exc).__name__)


async def principal_for_key(services: Services, key: str) -> Principal | None:
    """The principal of ``key``, or None when it is unknown or revoked."""
    try:
        found = await apikeys.authenticate(services.sessions, key)
        if found is None:
            bootstrap = _bootstrap_key(services)
            if bootstrap is not None and hmac.compare_digest(
                key.encode("utf-8"), bootstrap.encode("utf-8")
            ):
                await bootstrap_admin_key(services)
                found = await apikeys.authenticate(services.sessions, key)
    except DATABASE_ERRORS as exc:
        log.warning("API key lookup failed: %s", type(exc).__name__)
        raise ProblemError(503, "The API key store (database) is unavailable") from None
    if found is None:
        return None
    return Principal(key_id=found.id, name=found.name, role=found.role)


def key_fingerprint(key: str) -> str:
    """A short, non-reversible name for a presented key (the limiter counts per key too)."""
    return "key:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


async def authenticate_key(services: Services, key: str, client: str) -> Principal:
    """The principal of ``key`` presented from ``client``; ProblemError 401, 429 or 503.

    A valid key is never refused by the failure limit, whoever failed from the same address.
    A failure counts against the address and against the key's fingerprint separately; when
    either is over the limit the answer is 429 with Retry-After instead of 401.
    """
    principal = await principal_for_key(services, key)
    if principal is not None:
        return principal
    limiter = services.auth_limiter
    fingerprint = key_fingerprint(key)
    waits = [w for w in (limiter.retry_after(client), limiter.retry_after(fingerprint)) if w]
    if waits:
        wait = max(waits)
        raise ProblemError(
            429,
            f"Too many requests with an invalid API key; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    limiter.failed(client)
    limiter.failed(fingerprint)
    raise ProblemError(401, "The API key is not valid or was revoked", headers=CHALLENGE)


async def authenticate_request(request: HTTPConnection, services: Services) -> Principal:
    """The caller of ``request``, from its ``Authorization: Bearer`` header alone."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ProblemError(
            401, "Send an API key as 'Authorization: Bearer <key>'", headers=CHALLENGE
        )
    return await authenticate_key(services, key, client_address(request))


async def current_principal(
    request: Request,
    services: ServicesDep,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> Principal:
    """The caller, from the Bearer key; 401 when there is none or it is not valid.

    Under /api the :class:`ApiAuthentication` middleware has decided already (before the
    body was read); ``credentials`` declares the scheme in the OpenAPI document.
    """
    found = getattr(request.state, "principal", None)
    if isinstance(found, Principal):
        return found
    principal = await authenticate_request(request, services)
    request.state.principal = principal
    return principal


class ApiAuthentication:
    """Pure ASGI: authenticates every request under ``prefix`` from its headers, before any
    byte of its body is read (a caller without a valid key never gets its upload read)."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        state = scope.get("state")
        services = state.get("services") if isinstance(state, dict) else None
        if not isinstance(services, Services):
            await self.app(scope, receive, send)  # answered 503 by the app
            return
        request = Request(scope)  # no receive: the body stays unread
        try:
            principal = await authenticate_request(request, services)
        except ProblemError as exc:
            response = problem_response(
                request, exc.status, exc.detail, headers=exc.headers, errors=exc.errors
            )
            await response(scope, receive, send)
            return
        assert isinstance(state, dict)
        state["principal"] = principal
        await self.app(scope, receive, send)


def require(role: str) -> Any:
    """A dependency admitting callers whose role is at least ``role``."""

    async def check(principal: Principal = Depends(current_principal)) -> Principal:
        if not principal.has(role):
            raise ProblemError(
                403,
                f"This needs the {role} role; the API key '{principal.name}' is a {principal.role}",
            )
        return principal

    check.__name__ = f"require_{role}"
    check.required_role = role  # type: ignore[attr-defined]  # read by app.api.openapi
    return Depends(check)
