"""Read a response within the size cap and shape it like Camunda's ``HttpCommonResult``."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable
from typing import Any

from connectors._http.errors import ResponseTooLarge
from connectors._http.transport import Response
from connectors.sdk import ConnectorInputError


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


def parse_lenient(raw: bytes) -> Any:
    """JSON if the body parses as JSON, otherwise the text; an empty body is ``None``."""
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def decode_text(raw: bytes, encoding: str | None) -> str | None:
    """The body as text in ``encoding`` (default UTF-8); an empty body is ``None``."""
    name = (encoding or "").strip() or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        raise ConnectorInputError(
            f"documentReturnFormat.encoding: unsupported charset '{name}'; use an IANA charset "
            "name such as UTF-8 or ISO-8859-1"
        ) from None
    if not raw:
        return None
    return raw.decode(name, errors="replace")
