"""OAuth 2.0 client-credentials tokens for the gateway connection.

The token rides on every call as ``authorization: Bearer ...`` through gRPC client
interceptors, so it works on TLS and plaintext channels alike. Tokens are fetched with
httpx (async), cached and refreshed shortly before they expire. A failed token request
surfaces as an UNAVAILABLE gRPC error, which the worker treats like an unreachable
gateway (retry with backoff, readiness down).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import grpc
import httpx

log = logging.getLogger("switchboard.zeebe")

REFRESH_LEEWAY_SECONDS = 30.0
DEFAULT_EXPIRES_IN_SECONDS = 300.0


class TokenError(Exception):
    """The authorization server gave no usable token. The message never holds credentials."""


class ClientCredentialsTokenSource:
    """Fetches and caches an access token with the client-credentials grant."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        audience: str | None = None,
        scope: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._audience = audience
        self._scope = scope
        self._timeout = timeout
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    def __repr__(self) -> str:
        return f"ClientCredentialsTokenSource(token_url={self._token_url!r}, client_id=***)"

    async def token(self) -> str:
        """A valid access token, fetching a new one when the cached one is about to expire."""
        if self._token is not None and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                self._token, lifetime = await self._fetch()
                self._expires_at = time.monotonic() + max(lifetime - REFRESH_LEEWAY_SECONDS, 1.0)
            return self._token

    def invalidate(self) -> None:
        self._token = None

    async def _fetch(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        if self._audience:
            form["audience"] = self._audience
        if self._scope:
            form["scope"] = self._scope
        self.fetches += 1
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(
                    self._token_url, data=form, headers={"Accept": "application/json"}
                )
        except httpx.HTTPError as exc:
            raise TokenError(f"token request failed: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise TokenError(f"token request failed: HTTP {response.status_code}")
        try:
            payload: Any = response.json()
        except ValueError:
            raise TokenError("token response is not JSON") from None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenError("token response has no access_token")
        expires_in = payload.get("expires_in", DEFAULT_EXPIRES_IN_SECONDS)
        try:
            lifetime = float(expires_in)
        except (TypeError, ValueError):
            lifetime = DEFAULT_EXPIRES_IN_SECONDS
        return token, lifetime


class _Bearer:
    def __init__(self, source: ClientCredentialsTokenSource) -> None:
        self._source = source

    async def _authorized(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        try:
            token = await self._source.token()
        except TokenError as exc:
            log.warning("Zeebe OAuth: %s", exc)
            raise grpc.aio.AioRpcError(
                grpc.StatusCode.UNAVAILABLE,
                grpc.aio.Metadata(),
                grpc.aio.Metadata(),
                details=f"OAuth {exc}",
            ) from None
        metadata = grpc.aio.Metadata(
            *[(k, v) for k, v in (details.metadata or ()) if k != "authorization"]
        )
        metadata.add("authorization", f"Bearer {token}")
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
        )


# grpc.aio files an interceptor under the first call kind it implements only, hence two classes.
class _UnaryBearer(_Bearer, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(await self._authorized(details), request)


class _StreamBearer(_Bearer, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(await self._authorized(details), request)


def bearer_interceptors(source: ClientCredentialsTokenSource) -> list[grpc.aio.ClientInterceptor]:
    """Interceptors adding ``source``'s token to unary and server-streaming calls."""
    return [_UnaryBearer(source), _StreamBearer(source)]
