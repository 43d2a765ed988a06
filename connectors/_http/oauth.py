"""OAuth 2.0 token requests: client credentials and refresh token grants."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

from connectors._http import errors
from connectors._http.clients import USER_AGENT, HttpState
from connectors._http.hops import send
from connectors._http.models import OAuthClientCredentials, OAuthRefreshToken
from connectors._http.oauth_cache import TokenResponse, cache_key
from connectors._http.request import parse_url
from connectors._http.response import flatten_headers, parse_lenient, read_capped
from connectors._http.transport import Exchange
from connectors.sdk import ConnectorError

TOKEN_TIMEOUT_SECONDS = 20.0

OAuth = OAuthClientCredentials | OAuthRefreshToken


def oauth_cache_key(auth: OAuth) -> str:
    if isinstance(auth, OAuthClientCredentials):
        return cache_key(
            auth.type,
            auth.oauth_token_endpoint,
            auth.client_id,
            auth.client_secret,
            auth.audience,
            auth.scopes,
            auth.client_authentication,
        )
    return cache_key(
        auth.type,
        auth.oauth_token_endpoint,
        auth.client_id,
        auth.client_secret,
        auth.refresh_token,
        auth.scopes,
    )


async def access_token(state: HttpState, auth: OAuth) -> str:
    """A valid access token for ``auth``: from the shared cache, or fetched and cached."""
    return await state.tokens.get_or_fetch(oauth_cache_key(auth), lambda: fetch_token(state, auth))


def basic_credentials(user: str, password: str) -> str:
    raw = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


async def fetch_token(state: HttpState, auth: OAuth) -> TokenResponse:
    form: dict[str, str] = {}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if isinstance(auth, OAuthClientCredentials):
        form["grant_type"] = "client_credentials"
        if auth.audience:
            form["audience"] = auth.audience
        if auth.scopes:
            form["scope"] = auth.scopes
        if auth.client_authentication == "basicAuthHeader":
            headers["Authorization"] = basic_credentials(auth.client_id, auth.client_secret)
        else:
            form["client_id"] = auth.client_id
            form["client_secret"] = auth.client_secret
    else:
        form["grant_type"] = "refresh_token"
        form["client_id"] = auth.client_id
        form["refresh_token"] = auth.refresh_token
        if auth.client_secret:
            form["client_secret"] = auth.client_secret
        if auth.scopes:
            form["scope"] = auth.scopes
    url = parse_url(auth.oauth_token_endpoint, "authentication.oauthTokenEndpoint")
    content = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in form.items())
    exchange = Exchange(
        method="POST",
        url=str(url.copy_with(fragment=None)),
        headers=[*headers.items(), ("User-Agent", USER_AGENT)],
        body=content.encode("ascii"),
        connect_timeout=TOKEN_TIMEOUT_SECONDS,
        read_timeout=TOKEN_TIMEOUT_SECONDS,
    )
    response = await send(state, exchange, follow_redirects=False)
    try:
        raw = await read_capped(response, state.config.max_body_bytes)
    finally:
        await response.aclose()
    body = parse_lenient(raw)
    if isinstance(auth, OAuthRefreshToken) and isinstance(body, dict) and body.get("error"):
        raise _refresh_error(body)
    if response.status >= 400:
        reason = response.reason or "[no reason]"
        headers_out = flatten_headers(response.raw_headers, response.decoded_codings)
        raise ConnectorError(
            str(response.status),
            f"OAuth token request failed: {response.status} {reason}",
            {"response": {"headers": headers_out, "body": body}},
        )
    return _token_response(body)


def _refresh_error(body: dict[str, Any]) -> ConnectorError:
    error = str(body.get("error"))
    description = str(body.get("error_description") or "no description provided")
    if error == "invalid_grant":
        return ConnectorError(
            errors.OAUTH_REFRESH_TOKEN_EXPIRED,
            "Refresh token is invalid or expired; re-authorization is required. Details: "
            + description,
        )
    if error == "interaction_required":
        return ConnectorError(
            errors.OAUTH_INTERACTION_REQUIRED,
            "The identity provider requires user interaction before a token can be issued; "
            "re-authorization is required. Details: " + description,
        )
    return ConnectorError(
        errors.OAUTH_TOKEN_ERROR, f"OAuth token exchange failed: {error}. {description}"
    )


def _token_response(body: Any) -> TokenResponse:
    token = _find(body, "access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise ConnectorError(
            errors.OAUTH_TOKEN_ERROR,
            "OAuth token response does not contain an access_token field",
        )
    expires = _find(body, "expires_in")
    expires_in: float | None = None
    if isinstance(expires, int | float) and not isinstance(expires, bool):
        expires_in = float(expires)
    elif isinstance(expires, str):
        try:
            expires_in = float(expires)
        except ValueError:
            expires_in = None
    return TokenResponse(token, expires_in)


def _find(node: Any, name: str) -> Any:
    """The first value called ``name``, searching nested objects breadth-first."""
    queue = [node]
    while queue:
        current = queue.pop(0)
        if isinstance(current, dict):
            if name in current:
                return current[name]
            queue.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            queue.extend(v for v in current if isinstance(v, dict | list))
    return None
