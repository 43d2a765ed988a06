"""Send one request with the shared client and map every outcome to a result or an error."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from connectors._http import errors
from connectors._http.clients import HttpState, state
from connectors._http.errors import ResponseTooLarge
from connectors._http.models import (
    ApiKeyAuthentication,
    BasicAuthentication,
    BearerAuthentication,
    OAuthClientCredentials,
    OAuthRefreshToken,
)
from connectors._http.oauth import access_token, basic_credentials, oauth_cache_key
from connectors._http.request import (
    Header,
    HttpRequestSpec,
    build_url,
    encode_body,
    header_list,
    parse_url,
    query_items,
    set_header,
)
from connectors._http.response import decode_text, flatten_headers, parse_lenient, read_capped
from connectors.sdk import ConnectorError, ConnectorInputError

TIMEOUT_MESSAGE = "The request timed out. Please try increasing the read and connection timeouts."


async def execute(spec: HttpRequestSpec) -> dict[str, Any]:
    """Send ``spec`` and return ``{status, headers, body, reason}``.

    Raises ``ConnectorError`` with the status as code for responses >= 400, "408" for
    timeouts and I/O errors, ``SSL_HANDSHAKE_FAILED`` for TLS failures; ``ConnectorInputError``
    for inputs that cannot work. Messages never contain credentials or the URL's query.
    """
    try:
        return await _execute(state(), spec)
    except httpx.TimeoutException:
        raise ConnectorError(errors.TIMEOUT, TIMEOUT_MESSAGE) from None
    except httpx.TooManyRedirects:
        raise ConnectorError(errors.PROTOCOL_ERROR, "Too many redirects") from None
    except httpx.UnsupportedProtocol:
        raise ConnectorInputError("url: must be an http:// or https:// URL") from None
    except httpx.LocalProtocolError:
        raise ConnectorInputError(
            "headers: the request could not be sent as given (invalid header name or value, "
            "or an invalid raw URL with skipEncoding)"
        ) from None
    except (httpx.TransportError, ssl.SSLError, OSError) as exc:
        # anyio lets some TLS alerts (e.g. "certificate required") through unwrapped.
        tls = _tls_error(exc)
        if tls is not None:
            raise ConnectorError(
                errors.TLS_FAILED,
                f"TLS handshake failed: {_tls_reason(tls)}. The server certificate may not be "
                "trusted: provide the server's CA certificate via "
                "'clientTls.trustedCertificate' (or SWITCHBOARD_HTTP_CA_FILE), or check the "
                "client certificate configuration.",
            ) from None
        raise ConnectorError(
            errors.TIMEOUT,
            "An error occurred while executing the request, or the connection was aborted: "
            f"{_describe(exc)}",
        ) from None


async def _execute(st: HttpState, spec: HttpRequestSpec) -> dict[str, Any]:
    method = spec.method.upper()
    parse_url(spec.url)  # before any token request
    headers = header_list(spec.headers)
    query = query_items(spec.query)
    oauth_key = await _authorize(st, spec.authentication, headers, query)
    url, extensions = build_url(spec.url, query, spec.skip_encoding)
    content = encode_body(method, spec.body, headers, spec.ignore_null_values)
    client = await st.client_for(spec.tls)
    request = client.build_request(
        method,
        url,
        headers=[(k.encode("utf-8"), v.encode("utf-8")) for k, v in headers],
        content=content,
        timeout=httpx.Timeout(
            connect=spec.connect_timeout,
            read=spec.read_timeout,
            write=spec.read_timeout,
            pool=spec.connect_timeout,
        ),
        extensions=extensions,
    )
    response = await client.send(request, stream=True, follow_redirects=spec.follow_redirects)
    failed = response.status_code >= 400
    try:
        raw: bytes | None = await read_capped(response, st.config.max_body_bytes)
    except ResponseTooLarge:
        if not failed:
            raise
        raw = None  # the status is what matters; an oversized error body is left out
    finally:
        await response.aclose()
    response_headers = flatten_headers(response.headers.raw)
    reason = response.reason_phrase
    if failed:
        if response.status_code == 401 and oauth_key is not None:
            st.tokens.invalidate(oauth_key)  # the next attempt fetches a fresh token
        body = parse_lenient(raw) if raw is not None else None
        raise ConnectorError(
            str(response.status_code),
            reason or "[no reason]",
            {"response": {"headers": response_headers, "body": body}},
        )
    assert raw is not None
    if spec.response_format == "TEXT":
        body = decode_text(raw, spec.encoding)
    else:
        body = parse_lenient(raw)
    return {
        "status": response.status_code,
        "headers": response_headers,
        "body": body,
        "reason": reason,
    }


async def _authorize(
    st: HttpState, auth: Any, headers: list[Header], query: list[Header]
) -> str | None:
    """Add the credentials to ``headers`` or ``query``; return the OAuth cache key, if any."""
    if isinstance(auth, BasicAuthentication):
        set_header(headers, "Authorization", basic_credentials(auth.username, auth.password))
    elif isinstance(auth, BearerAuthentication):
        set_header(headers, "Authorization", f"Bearer {auth.token}")
    elif isinstance(auth, ApiKeyAuthentication):
        if auth.api_key_location == "query":
            query.append((auth.name, auth.value))
        else:
            set_header(headers, auth.name, auth.value)
    elif isinstance(auth, OAuthClientCredentials | OAuthRefreshToken):
        token = await access_token(st, auth)
        set_header(headers, "Authorization", f"Bearer {token}")
        return oauth_cache_key(auth)
    return None


def _tls_error(exc: BaseException) -> ssl.SSLError | ssl.CertificateError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _tls_reason(error: ssl.SSLError | ssl.CertificateError) -> str:
    verify = getattr(error, "verify_message", None)
    if verify:
        return str(verify)
    reason = getattr(error, "reason", None)
    return str(reason) if reason else type(error).__name__


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
