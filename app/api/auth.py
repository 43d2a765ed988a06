"""API key authentication: ``Authorization: Bearer <key>`` and role checks.

Roles are ordered viewer < operator < admin. No or an unknown key is 401 (with a
``WWW-Authenticate: Bearer`` challenge); a known key with too low a role is 403. An address
that sent too many invalid keys is refused with 429 (see :mod:`app.ratelimit`).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import ServicesDep
from app.api.problems import ProblemError
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


async def current_principal(
    request: Request,
    services: ServicesDep,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> Principal:
    """The caller, from the Bearer key; 401 when there is none or it is not valid."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemError(
            401, "Send an API key as 'Authorization: Bearer <key>'", headers=CHALLENGE
        )
    limiter = services.auth_limiter
    client = client_address(request)
    # Checked before the key, so a blocked address cannot learn whether a guess was right.
    wait = limiter.retry_after(client)
    if wait is not None:
        raise ProblemError(
            429,
            f"Too many requests with an invalid API key from this address; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    principal = await principal_for_key(services, credentials.credentials.strip())
    if principal is None:
        limiter.failed(client)
        raise ProblemError(401, "The API key is not valid or was revoked", headers=CHALLENGE)
    request.state.principal = principal
    return principal


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
