"""Webhook authorization: NONE, BASIC, APIKEY and JWT, answered as Camunda answers.

Facts from camunda/connectors connectors/webhook ``authorization/*Handler.java`` and
``AuthorizationResult.java``: invalid or missing credentials are 401, a valid JWT without the
required roles is 403. BASIC compares ``username:password`` with the decoded ``Authorization:
Basic`` value; APIKEY evaluates the locator expression over ``{request, connectorData}`` (null:
"API key is missing"); JWT reads ``Authorization: Bearer``, verifies the signature (RS256/384/512,
ES256/384/512; the key by ``kid`` from the JWKS, cached 10 minutes and fetched at most 10 times a
minute) and the expiry, then, when roles are required, evaluates the permissions expression
over the token's payload. Where Camunda's handler throws instead of answering (no
``Authorization`` header for JWT, an undecodable Basic value, an unknown key id, an unreachable
JWKS), the answer is 500 as there.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx
import jwt

from connectors.sdk import ConnectorInputError
from connectors.sdk.inbound import InboundContext
from connectors.sdk.webhook import MappedRequest, WebhookError, WebhookRequestHead
from connectors.sdk.webhook import WebhookSecurityError as SecurityError
from connectors.webhook.properties import ApiKeyAuth, BasicAuth, JwtAuth, NoAuth

JWKS_CACHE_SECONDS = 600.0
JWKS_FETCHES_PER_MINUTE = 10
_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")


class Authorizer:
    headers_only = True

    async def check(self, head: WebhookRequestHead, request: MappedRequest | None) -> None:
        return None

    async def close(self) -> None:
        return None


class BasicAuthorizer(Authorizer):
    def __init__(self, auth: BasicAuth) -> None:
        self.expected = f"{auth.username}:{auth.password}".encode()

    async def check(self, head: WebhookRequestHead, request: MappedRequest | None) -> None:
        value = head.headers.get("authorization")
        if value is None or not value.lower().startswith("basic ") or len(value.strip()) <= 6:
            raise SecurityError(401, "Basic auth header is missing")
        try:
            actual = base64.b64decode(value.split(" ")[1], validate=True)
        except (binascii.Error, ValueError, IndexError):
            raise WebhookError(500, "the Basic auth value is not base64") from None
        if not hmac.compare_digest(actual, self.expected):
            raise SecurityError(401, "Basic auth header is invalid")


class ApiKeyAuthorizer(Authorizer):
    headers_only = False

    def __init__(self, auth: ApiKeyAuth, context: InboundContext) -> None:
        self.expected = auth.api_key.encode("utf-8")
        self.locator = auth.api_key_locator
        self.context = context

    async def check(self, head: WebhookRequestHead, request: MappedRequest | None) -> None:
        assert request is not None
        try:
            found = self.context.evaluate(
                self.locator, {"request": request.as_context(), "connectorData": {}}
            )
        except ConnectorInputError as exc:
            raise SecurityError(401, exc.message) from None
        if found is None:
            raise SecurityError(401, "API key is missing")
        if not hmac.compare_digest(str(found).encode("utf-8"), self.expected):
            raise SecurityError(401, "API key is invalid")


class JwksCache:
    """The keys of one JWKS URL, refreshed when a token names an unknown key id."""

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self.url = url
        self.client = client
        self.keys: dict[str | None, tuple[jwt.PyJWK, str | None]] = {}
        self.fetched_at = 0.0
        self.fetches: list[float] = []
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> tuple[jwt.PyJWK, str | None]:
        fresh = time.monotonic() - self.fetched_at < JWKS_CACHE_SECONDS
        if fresh and kid in self.keys:
            return self.keys[kid]
        async with self._lock:
            if not (time.monotonic() - self.fetched_at < JWKS_CACHE_SECONDS and kid in self.keys):
                await self._fetch()
        if kid in self.keys:
            return self.keys[kid]
        if kid is None and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        raise WebhookError(500, f"Cannot find JWK for the JWT token (kid {kid!r})")

    async def _fetch(self) -> None:
        now = time.monotonic()
        self.fetches = [t for t in self.fetches if now - t < 60]
        if len(self.fetches) >= JWKS_FETCHES_PER_MINUTE:
            raise WebhookError(500, "JWKS fetch rate limit reached")
        self.fetches.append(now)
        try:
            response = await self.client.get(self.url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise WebhookError(500, f"Cannot fetch the JWKS: {type(exc).__name__}") from None
        keys: dict[str | None, tuple[jwt.PyJWK, str | None]] = {}
        for data in document.get("keys", []) if isinstance(document, dict) else []:
            try:
                key = jwt.PyJWK(data)
            except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
                continue  # keys of other types or uses are not ours to judge
            alg = data.get("alg")
            keys[data.get("kid")] = (key, alg if isinstance(alg, str) else None)
        self.keys, self.fetched_at = keys, time.monotonic()


class JwtAuthorizer(Authorizer):
    def __init__(self, auth: JwtAuth, context: InboundContext) -> None:
        self.jwt = auth.jwt
        self.context = context
        self.client = httpx.AsyncClient(timeout=10.0, follow_redirects=False)
        self.jwks = JwksCache(auth.jwt.jwk_url, self.client)

    async def close(self) -> None:
        await self.client.aclose()

    async def check(self, head: WebhookRequestHead, request: MappedRequest | None) -> None:
        header = head.headers.get("authorization")
        if header is None:
            raise WebhookError(500, "Cannot extract JWT from header!")
        token = header.replace("Bearer", "").strip()
        try:
            unverified = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SecurityError(401, "JWT auth failed") from None
        key, jwk_algorithm = await self.jwks.key(unverified.get("kid"))
        algorithm = jwk_algorithm or unverified.get("alg")
        if algorithm not in _ALGORITHMS:
            raise WebhookError(500, f"Unknown algorithm: {algorithm}")
        try:
            payload = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                options={"verify_aud": False, "verify_iss": False},
            )
        except jwt.PyJWTError:
            raise SecurityError(401, "JWT auth failed") from None
        required = self.jwt.required_permissions
        if required:
            roles = self._roles(payload)
            if not all(role in roles for role in required):
                raise SecurityError(403, "Missing required permissions")

    def _roles(self, payload: Mapping[str, Any]) -> list[Any]:
        expression = self.jwt.permissions_expression
        if not expression:
            return []
        try:
            value = self.context.evaluate(expression, json.loads(json.dumps(payload)))
        except ConnectorInputError:
            return []  # Camunda logs the failure and treats it as no roles
        return list(value) if isinstance(value, list) else []


def authorizer_for(
    auth: NoAuth | BasicAuth | ApiKeyAuth | JwtAuth, context: InboundContext
) -> Authorizer:
    if isinstance(auth, BasicAuth):
        return BasicAuthorizer(auth)
    if isinstance(auth, ApiKeyAuth):
        return ApiKeyAuthorizer(auth, context)
    if isinstance(auth, JwtAuth):
        return JwtAuthorizer(auth, context)
    return Authorizer()
