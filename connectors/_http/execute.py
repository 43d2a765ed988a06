"""Send one request with the shared transport and map every outcome to a result or an error.

Error codes and messages follow camunda/connectors connector-commons/http-client/src/main/
java/io/camunda/connector/http/client/client/apache/CustomApacheHttpClient.java (read, not
copied).
"""

from __future__ import annotations

from typing import Any

from connectors._http import errors
from connectors._http.clients import USER_AGENT, HttpState, state
from connectors._http.errors import ResponseTooLarge
from connectors._http.hops import ProtocolError, send
from connectors._http.models import (
    ApiKeyAuthentication,
    BasicAuthentication,
    BearerAuthentication,
    OAuthClientCredentials,
    OAuthRefreshToken,
)
from connectors._http.oauth import access_token, basic_credentials
from connectors._http.request import (
    UNSENDABLE_MESSAGE,
    Header,
    HttpRequestSpec,
    check_headers,
    encode_body,
    get_header,
    header_list,
    query_items,
    set_header,
)
from connectors._http.response import (
    INLINE_LIMIT_BYTES,
    decode_text,
    flatten_headers,
    inline_limit_error,
    parse_error_body,
    parse_json_format,
    parse_lenient,
    read_capped,
)
from connectors._http.transport import (
    Exchange,
    RequestNotSendable,
    TransportError,
    TransportTimeout,
    TransportTlsError,
    TunnelRefused,
)
from connectors._http.url import parse, wire_url
from connectors.sdk import ConnectorError, ConnectorInputError

TIMEOUT_MESSAGE = "The request timed out. Please try increasing the read and connection timeouts."
IO_ERROR_MESSAGE = "An error occurred while executing the request, or the connection was aborted"
PROTOCOL_ERROR_MESSAGE = "An error with the HTTP protocol occurred"


async def execute(spec: HttpRequestSpec) -> dict[str, Any]:
    """Send ``spec`` and return ``{status, headers, body, reason}``.

    Raises ``ConnectorError`` with the status as code for responses >= 400, "408" for
    timeouts and I/O errors, ``SSL_HANDSHAKE_FAILED`` for TLS failures, "500" for protocol
    errors (redirect limit); ``ConnectorInputError`` for inputs that cannot work. Messages
    never contain credentials or the URL.
    """
    try:
        return await _execute(state(), spec)
    except (TransportError, ProtocolError) as exc:
        raise connector_error(exc) from None


def connector_error(exc: Exception) -> ConnectorError:
    """The connector error for a transport or protocol failure, worded as Camunda words it."""
    if isinstance(exc, TransportTimeout):
        return ConnectorError(errors.TIMEOUT, TIMEOUT_MESSAGE)
    if isinstance(exc, TransportTlsError):
        return ConnectorError(
            errors.TLS_FAILED,
            f"TLS handshake failed: {exc.reason}. The server certificate may not be "
            "trusted: provide the server's CA certificate via "
            "'clientTls.trustedCertificate' (or SWITCHBOARD_HTTP_CA_FILE), or check the "
            "client certificate configuration.",
        )
    if isinstance(exc, ProtocolError | TunnelRefused):
        return ConnectorError(errors.PROTOCOL_ERROR, PROTOCOL_ERROR_MESSAGE)
    if isinstance(exc, RequestNotSendable):
        return ConnectorInputError(UNSENDABLE_MESSAGE)
    return ConnectorError(errors.TIMEOUT, IO_ERROR_MESSAGE)


async def _execute(st: HttpState, spec: HttpRequestSpec) -> dict[str, Any]:
    method = spec.method.upper()
    target = parse(spec.url)  # before any token request
    headers = header_list(spec.headers)
    query: list[Header] = []
    await _authorize(st, spec.authentication, headers, query)
    query.extend(query_items(spec.query))  # after an API key, as Camunda's builders add them
    url = wire_url(target, query, spec.skip_encoding)
    content = encode_body(method, spec.body, headers, spec.ignore_null_values)
    if get_header(headers, "User-Agent") is None:
        headers.append(("User-Agent", USER_AGENT))
    check_headers(headers)
    exchange = Exchange(
        method=method,
        url=url,
        headers=headers,
        body=content,
        connect_timeout=spec.connect_timeout,
        read_timeout=spec.read_timeout,
        tls=await st.context_for(spec.tls),
    )
    response = await send(st, exchange, follow_redirects=spec.follow_redirects)
    failed = response.status >= 400
    cap = st.config.max_body_bytes
    inline = spec.response_format != "AUTO" and not failed and INLINE_LIMIT_BYTES < cap
    try:
        raw: bytes | None = await read_capped(response, INLINE_LIMIT_BYTES if inline else cap)
    except ResponseTooLarge:
        if inline:
            raise inline_limit_error("JSON" if spec.response_format == "JSON" else "Text") from None
        if not failed:
            raise
        raw = None  # the status is what matters; an oversized error body is left out
    finally:
        await response.aclose()
    response_headers = flatten_headers(response.raw_headers, response.decoded_codings)
    reason = response.reason
    if failed:
        raise ConnectorError(
            str(response.status),
            reason or "[no reason]",
            {"response": {"headers": response_headers, "body": parse_error_body(raw)}},
        )
    assert raw is not None
    if spec.response_format == "TEXT":
        body = decode_text(raw, spec.encoding)
    elif spec.response_format == "JSON":
        body = parse_json_format(raw)
    else:
        body = parse_lenient(raw)
    # Camunda's HttpCommonResult (status, headers, body, reason, document).
    return {
        "status": response.status,
        "headers": response_headers,
        "body": body,
        "reason": reason,
        "document": None,
    }


async def _authorize(st: HttpState, auth: Any, headers: list[Header], query: list[Header]) -> None:
    """Add the credentials to ``headers`` or ``query``.

    A cached OAuth token stays cached when the target answers 401, as in Camunda (its token
    cache is only invalidated by other connectors)."""
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
