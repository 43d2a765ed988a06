"""Turn connector inputs into what goes on the wire: URL, headers and an encoded body."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote_plus

from connectors._http.tls import JobTls
from connectors.sdk import ConnectorInputError
from connectors.sdk.javaforms import java_value_of

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
UNSENDABLE_MESSAGE = (
    "headers: the request could not be sent as given (invalid header name or value, "
    "or an invalid raw URL with skipEncoding)"
)

Header = tuple[str, str]
ResponseFormat = Literal["AUTO", "JSON", "TEXT"]


@dataclass(slots=True)  # not frozen: built once per job, and frozen __init__ costs
class HttpRequestSpec:
    """One outbound request, independent of the connector that asked for it."""

    method: str
    url: str
    authentication: Any = None
    headers: Mapping[str, str | list[str]] | None = None
    query: Mapping[str, str | list[str]] | None = None
    body: Any = None
    connect_timeout: float | None = 20.0
    read_timeout: float | None = 20.0
    skip_encoding: bool = False
    ignore_null_values: bool = False
    follow_redirects: bool = False
    tls: JobTls | None = None
    response_format: ResponseFormat = "AUTO"
    encoding: str | None = None


def header_list(headers: Mapping[str, str | list[str]] | None) -> list[Header]:
    """Flatten a header map (list values become repeated headers), keeping name case."""
    result: list[Header] = []
    for name, value in (headers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            result.append((name, item))
    return result


def get_header(headers: list[Header], name: str) -> str | None:
    lower = name.lower()
    for key, value in reversed(headers):
        if key.lower() == lower:
            return value
    return None


def set_header(headers: list[Header], name: str, value: str) -> None:
    """Replace every header called ``name`` (any case) with one ``name: value``."""
    lower = name.lower()
    headers[:] = [(k, v) for k, v in headers if k.lower() != lower]
    headers.append((name, value))


def query_items(query: Mapping[str, str | list[str]] | None) -> list[Header]:
    return header_list(query)


def check_headers(headers: list[Header]) -> None:
    """Refuse header names that are not HTTP tokens and values that would split the request."""
    for name, value in headers:
        if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise ConnectorInputError(UNSENDABLE_MESSAGE)


def encode_body(
    method: str, body: Any, headers: list[Header], ignore_null_values: bool
) -> bytes | None:
    """Encode ``body`` as the Content-Type says, setting a default type where needed.

    JSON unless the Content-Type is form-urlencoded or multipart (for a map body); strings
    are sent as they are. Methods without a body (GET, DELETE) send none.
    """
    content_type = get_header(headers, "Content-Type")
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime == MULTIPART_TYPE and "boundary=" not in (content_type or "").lower():
        # We choose the boundary; a user's boundary-less multipart type would be wrong.
        headers[:] = [(k, v) for k, v in headers if k.lower() != "content-type"]
        content_type = None
    if method not in BODY_METHODS:
        return None
    if body is None:
        return b""
    if ignore_null_values:
        body = _without_nulls(body)
    if isinstance(body, dict) and mime == MULTIPART_TYPE:
        boundary = _boundary(content_type) or secrets.token_hex(16)
        set_header(headers, "Content-Type", f"{MULTIPART_TYPE}; boundary={boundary}")
        return _multipart(body, boundary)
    if isinstance(body, dict) and mime == FORM_TYPE:
        return _form(body).encode("ascii")
    if content_type is None:
        set_header(headers, "Content-Type", JSON_TYPE)
    if isinstance(body, str):
        return body.encode(_charset(content_type) or "utf-8", errors="replace")
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        raise ConnectorInputError("body: cannot be serialised as JSON") from None


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            candidate = value.strip().strip('"')
            try:
                "".encode(candidate)
            except LookupError:
                return None
            return candidate
    return None


def _boundary(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "boundary" and value.strip():
            return value.strip().strip('"')
    return None


def form_encode(pairs: list[tuple[str, str | None]]) -> str:
    """``application/x-www-form-urlencoded`` as Apache's ``WWWFormCodec`` writes it (RFC 3986
    unreserved characters as they are, a space as ``+``, UTF-8); a ``None`` value is a bare
    name."""
    return "&".join(
        quote_plus(name, safe="")
        if value is None
        else f"{quote_plus(name, safe='')}={quote_plus(value, safe='')}"
        for name, value in pairs
    )


def _form(body: Mapping[str, Any]) -> str:
    # One field per entry, its value in String.valueOf form ("[a, b]", "{k=v}"); null: the
    # bare name (ApacheRequestBodyBuilder.createUrlEncodedFormEntity).
    return form_encode(
        [
            (java_value_of(key), None if value is None else java_value_of(value))
            for key, value in body.items()
        ]
    )


def _multipart(body: Mapping[str, Any], boundary: str) -> bytes:
    """Apache's multipart in LEGACY mode (DocumentAwareMultipartEntityBuilder.java): one text
    part per entry and per list item, only a Content-Disposition header, text and names in
    ISO-8859-1 (``?`` for what it cannot hold), null entries left out."""
    parts: list[bytes] = []
    for key, value in body.items():
        if value is None:
            continue
        name = java_value_of(key).replace("\\", "\\\\").replace('"', '\\"')
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                head.encode("latin-1", "replace")
                + java_value_of(item).encode("latin-1", "replace")
                + b"\r\n"
            )
    parts.append(f"--{boundary}--\r\n".encode("latin-1", "replace"))
    return b"".join(parts)
