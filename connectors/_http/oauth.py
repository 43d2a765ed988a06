"""OAuth 2.0 token requests: client credentials and refresh token grants."""

from __future__ import annotations

import base64
from typing import Any

from connectors._http import errors
from connectors._http.clients import USER_AGENT, HttpState
from connectors._http.hops import send
from connectors._http.models import OAuthClientCredentials, OAuthRefreshToken
from connectors._http.oauth_cache import TokenResponse, cache_key
from connectors._http.request import form_encode
from connectors._http.response import (
    flatten_headers,
    parse_error_body,
    parse_lenient,
    read_capped,
)
from connectors._http.transport import Exchange
from connectors._http.url import parse, wire_url
from connectors.sdk import ConnectorError
from connectors.sdk.javaforms import java_value_of

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


# The template's placeholder for an empty password (Base64Helper.buildBasicAuthenticationHeader).
SPEC_PASSWORD_EMPTY_PATTERN = "SPEC_PASSWORD_EMPTY_PATTERN"


def basic_credentials(user: str, password: str | None) -> str:
    """``Basic base64(user:password)`` (UTF-8); no password, or the template's empty-password
    placeholder, sends ``user:`` (camunda/connectors connector-commons/http-client/.../
    authentication/Base64Helper.java)."""
    if password is None or password == SPEC_PASSWORD_EMPTY_PATTERN:
        password = ""
    raw = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


async def fetch_token(state: HttpState, auth: OAuth) -> TokenResponse:
    """Request a token as Camunda's OAuthService does (camunda/connectors connector-commons/
    http-client/.../authentication/OAuthService.java, model/auth/OAuthAuthentication.java and
    OAuthRefreshTokenAuthentication.java): a form POST; ``audience`` always sent (a bare name
    when unset); a status >= 400 is an ordinary HTTP error; only a 2xx answer carrying
    ``error`` is an OAuth error of the refresh-token grant."""
    form: list[tuple[str, str | None]] = []
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    if isinstance(auth, OAuthClientCredentials):
        form.append(("grant_type", "client_credentials"))
        form.append(("audience", auth.audience))
        if auth.scopes and auth.scopes.strip():
            form.append(("scope", auth.scopes))
        if auth.client_authentication == "basicAuthHeader":
            headers.append(("Authorization", basic_credentials(auth.client_id, auth.client_secret)))
        else:
            form.append(("client_id", auth.client_id))
            form.append(("client_secret", auth.client_secret))
    else:
        form.append(("grant_type", "refresh_token"))
        form.append(("client_id", auth.client_id))
        form.append(("refresh_token", auth.refresh_token))
        if auth.client_secret and auth.client_secret.strip():
            form.append(("client_secret", auth.client_secret))
        if auth.scopes and auth.scopes.strip():
            form.append(("scope", auth.scopes))
    field = "authentication.oauthTokenEndpoint"
    url = wire_url(parse(auth.oauth_token_endpoint, field), [], False, field)
    exchange = Exchange(
        method="POST",
        url=url,
        headers=[*headers, ("User-Agent", USER_AGENT)],
        body=form_encode(form).encode("ascii"),
        connect_timeout=TOKEN_TIMEOUT_SECONDS,
        read_timeout=TOKEN_TIMEOUT_SECONDS,
    )
    response = await send(state, exchange, follow_redirects=False)
    try:
        raw = await read_capped(response, state.config.max_body_bytes)
    finally:
        await response.aclose()
    if response.status >= 400:
        raise ConnectorError(
            str(response.status),
            response.reason or "[no reason]",
            {
                "response": {
                    "headers": flatten_headers(response.raw_headers, response.decoded_codings),
                    "body": parse_error_body(raw),
                }
            },
        )
    text = raw.decode("utf-8", errors="replace")
    body = parse_lenient(raw) if text.strip() else None
    if isinstance(body, str):
        shown = body if len(body) <= 100 else body[:97] + "..."
        raise ConnectorError(None, f"Response body is not valid JSON: {shown}")
    if isinstance(auth, OAuthRefreshToken) and isinstance(body, dict):
        error = find_value(body, "error", _MISSING)
        if error is not _MISSING:
            raise _refresh_error(error, find_value(body, "error_description", _MISSING))
    return _token_response(body)


_MISSING = object()


def _refresh_error(error: Any, description: Any) -> ConnectorError:
    error_text = as_text(error)
    details = "no description provided" if description is _MISSING else as_text(description)
    if error_text == "invalid_grant":
        return ConnectorError(
            errors.OAUTH_REFRESH_TOKEN_EXPIRED,
            "Refresh token is invalid or expired; re-authorization is required. Details: "
            + details,
        )
    if error_text == "interaction_required":
        return ConnectorError(
            errors.OAUTH_INTERACTION_REQUIRED,
            "The identity provider requires user interaction before a token can be issued; "
            "re-authorization is required. Details: " + details,
        )
    return ConnectorError(
        errors.OAUTH_TOKEN_ERROR, f"OAuth token exchange failed: {error_text}. {details}"
    )


def _token_response(body: Any) -> TokenResponse:
    token = find_value(body, "access_token", _MISSING) if isinstance(body, dict) else _MISSING
    if token is _MISSING:
        raise ConnectorError(
            errors.OAUTH_TOKEN_ERROR,
            "OAuth token response does not contain an access_token field",
        )
    expires = find_value(body, "expires_in", _MISSING)
    expires_in: float | None = None
    # Only a JSON number counts (Jackson's isNumber), read as a long.
    if isinstance(expires, int | float) and not isinstance(expires, bool):
        expires_in = float(int(expires))
    return TokenResponse(as_text(token), expires_in)


def find_value(node: Any, name: str, default: Any = None) -> Any:
    """Jackson's ``JsonNode.findValue``: this object's own field first, then each child in
    order, depth first."""
    if isinstance(node, dict):
        if name in node:
            return node[name]
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return default
    for child in children:
        found = find_value(child, name, _MISSING)
        if found is not _MISSING:
            return found
    return default


def as_text(value: Any) -> str:
    """Jackson's ``JsonNode.asText``: containers give ``""``."""
    if isinstance(value, dict | list):
        return ""
    return java_value_of(value)
