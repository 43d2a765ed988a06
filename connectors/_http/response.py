"""Read a response within the size cap and shape it like Camunda's ``HttpCommonResult``."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable
from typing import Any

from connectors._http.errors import ResponseTooLarge
from connectors._http.transport import Response
from connectors.sdk import ConnectorError, ConnectorInputError


def header_value(raw: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name`` (lower case), decoded as Latin-1."""
    for key, value in raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def read_capped(response: Response, limit: int) -> bytes:
    """The decoded body, failing with :class:`ResponseTooLarge` past ``limit`` bytes
    (at once when the Content-Length announces more)."""
    length = (header_value(response.raw_headers, b"content-length") or "").strip()
    if length.isdigit() and int(length) > limit:
        raise ResponseTooLarge(limit)
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.chunks():
        total += len(chunk)
        if total > limit:
            raise ResponseTooLarge(limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# Like Apache's client, once a body is decoded these no longer describe it.
_ENTITY_HEADERS = frozenset({b"content-encoding", b"content-length", b"content-md5"})


def flatten_headers(
    raw: Iterable[tuple[bytes, bytes]], decoded_codings: frozenset[str] = frozenset()
) -> dict[str, str | list[str]]:
    """Names keep their case; one value stays a string, repeated names become a list.

    ``decoded_codings`` are the content codings the transport decoded; when the response's
    coding is one of them, the entity headers describing the encoded form are left out.
    """
    items = list(raw)
    codings = {
        v.decode("latin-1").strip().lower() for k, v in items if k.lower() == b"content-encoding"
    }
    decoded = bool(codings) and codings <= decoded_codings
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        if decoded and name.lower() in _ENTITY_HEADERS:
            continue
        grouped.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


# Camunda's runtime refuses TEXT and JSON bodies above this (InlineSizeGuard.MAX_INLINE_BYTES).
INLINE_LIMIT_BYTES = 3 * 1024 * 1024 // 2
_NOT_JSON = object()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


# Jackson's defaults: no NaN/Infinity, a value followed by other text is that value.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def _first_value(text: str) -> Any:
    """The first JSON value of ``text`` (leading whitespace skipped, trailing text ignored)."""
    value, _ = _DECODER.raw_decode(text.lstrip(" \t\r\n"))
    return value


def _container(text: str) -> Any:
    """A JSON object or array, else ``_NOT_JSON`` (Camunda's ``JsonHelper.isJsonStringValid``)."""
    if text.lstrip(" \t\r\n")[:1] not in ("{", "["):
        return _NOT_JSON
    try:
        return _first_value(text)
    except (ValueError, RecursionError):
        return _NOT_JSON


def parse_lenient(raw: bytes) -> Any:
    """A success body without ``documentReturnFormat``: a JSON object or array is parsed,
    anything else (scalars, ``NaN``, not JSON) stays text; a blank body is ``None``.

    As camunda/connectors connectors/http/http-base/.../HttpCommonResultMapper.java
    (deserializeBody) with JsonHelper.isJsonStringValid.
    """
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return None
    value = _container(text)
    return text if value is _NOT_JSON else value


def parse_error_body(raw: bytes | None) -> Any:
    """An error body as Camunda's ConnectorExceptionMapper reads it: a JSON object is a map,
    an array gives no body (unless it holds exactly one object, which Jackson unwraps into
    the map), anything else is the text (an empty body is ``""``)."""
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    value = _container(text)
    if value is _NOT_JSON:
        return text
    if isinstance(value, list):
        return value[0] if len(value) == 1 and isinstance(value[0], dict) else None
    return value


def inline_limit_error(label: str) -> ConnectorError:
    return ConnectorError(
        None,
        f"{label} response payload exceeds the inline variable size limit of 1.5 MiB. Re-run "
        "with 'Document reference' as the response format so the payload is uploaded to the "
        "document store instead.",
    )


def parse_json_format(raw: bytes) -> Any:
    """``documentReturnFormat.choice = JSON``: any JSON value; empty or invalid fails the job
    (camunda/connectors connector-runtime/connector-runtime-core/.../document/
    DocumentReturnProcessor.java, with its messages)."""
    if len(raw) > INLINE_LIMIT_BYTES:
        raise inline_limit_error("JSON")
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise ConnectorError(
            None, "JSON response format selected but payload was empty or could not be parsed."
        )
    try:
        return _first_value(text)
    except (ValueError, RecursionError) as exc:
        reason = str(exc).split(":", 1)[0] if isinstance(exc, ValueError) else "nested too deep"
        raise ConnectorError(
            None, f"JSON response format selected but payload is not valid JSON: {reason}"
        ) from None


def decode_text(raw: bytes, encoding: str | None) -> str:
    """``documentReturnFormat.choice = TEXT``: the body in ``encoding`` (default UTF-8),
    ``""`` when empty (DocumentReturnProcessor.java)."""
    name = (encoding or "").strip() or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        raise ConnectorInputError(
            f"Unsupported charset '{name}' configured on documentReturnFormat.encoding. Use a "
            "valid IANA charset name (e.g. UTF-8, ISO-8859-1) or leave the field blank to "
            "default to UTF-8."
        ) from None
    if len(raw) > INLINE_LIMIT_BYTES:
        raise inline_limit_error("Text")
    return raw.decode(name, errors="replace")
