"""Every authentication type against real loopback endpoints, including an OAuth token server."""

from __future__ import annotations

import base64
import itertools
import uuid
from typing import Any
from urllib.parse import parse_qsl

import pytest

from connectors.http_json import HttpJsonInput, http_json
from connectors.sdk import ConnectorError, bind
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer, Reply, Seen


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def form(seen: Seen) -> dict[str, str]:
    return dict(parse_qsl(seen.body.decode()))


async def run(variables: dict[str, Any], **kwargs: Any) -> Any:
    return await arun_connector(http_json, variables, **kwargs)


async def test_no_auth_sends_no_credentials(server: LoopbackServer) -> None:
    path = unique("noauth")
    await run({"method": "GET", "url": server.url(path), "authentication": {"type": "noAuth"}})
    assert server.requests_to(path)[-1].header("Authorization") is None


async def test_basic(server: LoopbackServer) -> None:
    path = unique("basic")
    await run(
        {
            "method": "GET",
            "url": server.url(path),
            "authentication": {"type": "basic", "username": "ann", "password": "pä:ss"},
        }
    )
    assert server.requests_to(path)[-1].header("Authorization") == basic("ann", "pä:ss")


async def test_bearer_replaces_a_user_authorization_header(server: LoopbackServer) -> None:
    path = unique("bearer")
    await run(
        {
            "method": "GET",
            "url": server.url(path),
            "headers": {"authorization": "Basic old"},
            "authentication": {"type": "bearer", "token": "tok-1"},
        }
    )
    seen = server.requests_to(path)[-1]
    assert [v for k, v in seen.headers if k.lower() == "authorization"] == ["Bearer tok-1"]


async def test_api_key_in_header_and_in_query(server: LoopbackServer) -> None:
    path = unique("apikey")
    auth = {"type": "apiKey", "name": "X-API-Key", "value": "k1"}
    await run({"method": "GET", "url": server.url(path), "authentication": auth})
    assert server.requests_to(path)[-1].header("X-API-Key") == "k1"
    await run(
        {
            "method": "GET",
            "url": server.url(path) + "?a=1",
            "authentication": {
                "type": "apiKey",
                "apiKeyLocation": "query",
                "name": "key",
                "value": "k2",
            },
        }
    )
    seen = server.requests_to(path)[-1]
    assert seen.query == [("a", "1"), ("key", "k2")]
    assert seen.header("X-API-Key") is None


class TokenServer:
    """A real OAuth token endpoint on the test server; issues token-1, token-2, ..."""

    def __init__(self, server: LoopbackServer, expires_in: Any = 3600, fail_first: int = 0) -> None:
        self.server = server
        self.path = unique("token")
        self.resource = unique("resource")
        self.expires_in = expires_in
        self.counter = itertools.count(1)
        self.issued: list[str] = []
        self.reject_next = fail_first
        server.routes[self.path] = self.issue
        server.routes[self.resource] = self.serve

    def issue(self, seen: Seen) -> Reply:
        token = f"token-{next(self.counter)}"
        self.issued.append(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return Reply(body=body, headers=[("Content-Type", "application/json")])

    def serve(self, seen: Seen) -> Reply:
        if self.reject_next:
            self.reject_next -= 1
            return Reply(status=401, reason="Unauthorized")
        if seen.header("Authorization") not in [f"Bearer {t}" for t in self.issued]:
            return Reply(status=401, reason="Unauthorized")
        return Reply(body={"authorization": seen.header("Authorization")})

    @property
    def token_requests(self) -> list[Seen]:
        return self.server.requests_to(self.path)


def client_credentials(tokens: TokenServer, **overrides: Any) -> dict[str, Any]:
    auth = {
        "type": "oauth-client-credentials-flow",
        "oauthTokenEndpoint": tokens.server.url(tokens.path),
        "clientId": "client-a",
        "clientSecret": "s3cret",
        "audience": "https://api.example",
        "scopes": "read write",
        "clientAuthentication": "credentialsBody",
    }
    auth.update(overrides)
    return {"method": "GET", "url": tokens.server.url(tokens.resource), "authentication": auth}


async def test_oauth_client_credentials_in_body_cached_across_jobs(server: LoopbackServer) -> None:
    tokens = TokenServer(server)
    first = await run(client_credentials(tokens))
    second = await run(client_credentials(tokens))
    assert first["body"] == second["body"] == {"authorization": "Bearer token-1"}
    assert len(tokens.token_requests) == 1
    request = tokens.token_requests[0]
    assert request.method == "POST"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.header("Authorization") is None
    assert form(request) == {
        "grant_type": "client_credentials",
        "client_id": "client-a",
        "client_secret": "s3cret",
        "audience": "https://api.example",
        "scope": "read write",
    }


async def test_oauth_client_credentials_in_basic_header(server: LoopbackServer) -> None:
    tokens = TokenServer(server)
    await run(client_credentials(tokens, clientAuthentication="basicAuthHeader", audience=""))
    request = tokens.token_requests[0]
    assert request.header("Authorization") == basic("client-a", "s3cret")
    assert form(request) == {"grant_type": "client_credentials", "scope": "read write"}


async def test_concurrent_jobs_share_one_token_fetch(server: LoopbackServer) -> None:
    import asyncio

    tokens = TokenServer(server)
    results = await asyncio.gather(*(run(client_credentials(tokens)) for _ in range(5)))
    assert {r["body"]["authorization"] for r in results} == {"Bearer token-1"}
    assert len(tokens.token_requests) == 1


async def test_different_credentials_get_different_tokens(server: LoopbackServer) -> None:
    tokens = TokenServer(server)
    await run(client_credentials(tokens))
    await run(client_credentials(tokens, clientId="client-b"))
    assert len(tokens.token_requests) == 2


@pytest.mark.parametrize("expires_in", [None, 10, "5"])
async def test_tokens_expiring_soon_or_without_expiry_are_not_cached(
    server: LoopbackServer, expires_in: Any
) -> None:
    tokens = TokenServer(server, expires_in=expires_in)
    await run(client_credentials(tokens))
    second = await run(client_credentials(tokens))
    assert second["body"] == {"authorization": "Bearer token-2"}
    assert len(tokens.token_requests) == 2


async def test_a_401_keeps_the_cached_token(server: LoopbackServer) -> None:
    """camunda/connectors connector-commons/http-client: nothing in the HTTP client calls
    OAuthTokenCache.invalidate (CaffeineOAuthTokenCache.java); a 401 from the target is an
    ordinary error and the cached token is used again."""
    tokens = TokenServer(server)
    await run(client_credentials(tokens))
    tokens.reject_next = 1
    with pytest.raises(ConnectorError) as info:
        await run(client_credentials(tokens))
    assert info.value.code == "401"
    result = await run(client_credentials(tokens))
    assert result["body"] == {"authorization": "Bearer token-1"}
    assert len(tokens.token_requests) == 1


async def test_token_endpoint_errors(server: LoopbackServer) -> None:
    denied, empty = unique("token-denied"), unique("token-empty")
    server.routes[denied] = lambda seen: Reply(
        status=401, body={"error": "invalid_client"}, headers=[("Content-Type", "application/json")]
    )
    server.routes[empty] = lambda seen: Reply(body={"token_type": "Bearer"})
    tokens = TokenServer(server)
    with pytest.raises(ConnectorError) as info:
        await run(client_credentials(tokens, oauthTokenEndpoint=server.url(denied)))
    assert info.value.code == "401"
    assert "s3cret" not in str(info.value)
    assert info.value.variables["response"]["body"] == {"error": "invalid_client"}
    with pytest.raises(ConnectorError) as info:
        await run(client_credentials(tokens, oauthTokenEndpoint=server.url(empty)))
    assert info.value.code == "OAUTH_TOKEN_ERROR"


def refresh_auth(server: LoopbackServer, token_path: str, **overrides: Any) -> dict[str, Any]:
    auth = {
        "type": "oauth-refresh-token",
        "oauthTokenEndpoint": server.url(token_path),
        "clientId": "client-r",
        "refreshToken": "refresh-1",
        "scopes": "offline_access",
    }
    auth.update(overrides)
    return auth


async def test_oauth_refresh_token(server: LoopbackServer) -> None:
    tokens = TokenServer(server)
    variables = {
        "method": "GET",
        "url": server.url(tokens.resource),
        "authentication": refresh_auth(server, tokens.path, clientSecret="cs"),
    }
    assert (await run(variables))["body"] == {"authorization": "Bearer token-1"}
    assert (await run(variables))["body"] == {"authorization": "Bearer token-1"}
    assert len(tokens.token_requests) == 1
    assert form(tokens.token_requests[0]) == {
        "grant_type": "refresh_token",
        "client_id": "client-r",
        "refresh_token": "refresh-1",
        "client_secret": "cs",
        "scope": "offline_access",
    }


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("invalid_grant", "OAUTH_REFRESH_TOKEN_EXPIRED"),
        ("interaction_required", "OAUTH_INTERACTION_REQUIRED"),
        ("server_error", "OAUTH_TOKEN_ERROR"),
    ],
)
async def test_oauth_refresh_token_errors(server: LoopbackServer, error: str, code: str) -> None:
    """Only a 2xx answer carrying ``error`` is an OAuth error (camunda/connectors
    connector-commons/http-client/.../authentication/OAuthService.java
    extractTokenFromRefreshTokenResponse; a status >= 400 never reaches it, see
    test_a_4xx_from_the_token_endpoint_is_an_http_error)."""
    path = unique("refresh-error")
    server.routes[path] = lambda seen: Reply(
        status=200,
        body={"error": error, "error_description": "nope"},
        headers=[("Content-Type", "application/json")],
    )
    with pytest.raises(ConnectorError) as info:
        await run(
            {"method": "GET", "url": server.url("/x"), "authentication": refresh_auth(server, path)}
        )
    assert info.value.code == code
    assert "refresh-1" not in str(info.value)


async def test_authentication_configuration_takes_precedence(server: LoopbackServer) -> None:
    path = unique("credential")
    await run(
        {
            "method": "GET",
            "url": server.url(path),
            "authentication": {"type": "bearer", "token": "inline"},
            "authenticationConfiguration": {
                "authentication": {"type": "basic", "username": "u", "password": "p"}
            },
        }
    )
    assert server.requests_to(path)[-1].header("Authorization") == basic("u", "p")


def test_credentials_are_redacted_from_model_reprs() -> None:
    data = bind(
        HttpJsonInput,
        {
            "method": "GET",
            "url": "http://127.0.0.1/",
            "authentication": {
                "type": "oauth-client-credentials-flow",
                "oauthTokenEndpoint": "http://127.0.0.1/token",
                "clientId": "id",
                "clientSecret": "very-secret",
                "clientAuthentication": "credentialsBody",
            },
            "clientTls": {"clientPrivateKey": "PRIVATE-KEY"},
        },
    )
    text = repr(data) + str(data)
    assert "very-secret" not in text and "PRIVATE-KEY" not in text
