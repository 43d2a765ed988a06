"""JSON text and scalar strings exactly as Camunda's connector (Java, Jackson) writes them.

Camunda serialises a message body with Jackson's default writer and coerces scalars into
the String properties of ``AMQP.BasicProperties`` with Jackson's coercion rules, so the bytes
a consumer receives depend on Java's number formatting: ``1.0E7``, not ``10000000.0``.
Facts: camunda/connectors ``connectors/rabbitmq/.../outbound/MessageUtil.java`` and
``connector-commons/connector-object-mapper/.../ConnectorsObjectMapperSupplier.java``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from connectors.sdk.javaforms import java_double
from connectors.sdk.validators import java_text

# Jackson's whitespace between tokens; Python's json accepts the same four.
JSON_WHITESPACE = " \t\n\r"

# Jackson escapes these two with a backslash and control characters below 0x20 as the short
# forms or \u00XX with upper-case hex digits; nothing else (no "/", no non-ASCII).
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_SHORT_ESCAPES["\r"] = "\\r"
_ESCAPES = {chr(c): _SHORT_ESCAPES.get(chr(c), f"\\u{c:04X}") for c in range(0x20)}
_ESCAPES.update(_SHORT_ESCAPES)
_TRANSLATION = str.maketrans(_ESCAPES)


class NotJson(ValueError):
    """The text is not JSON as Jackson's default parser reads it."""


def java_string(value: Any) -> str:
    """A JSON scalar coerced to a Java ``String`` the way Jackson does (``5``, ``1.5``,
    ``true``); raises ``TypeError`` for objects and arrays."""
    if isinstance(value, str | int | float):
        return str(java_text(value))
    raise TypeError(f"expected a text, number or boolean, got {json_type(value)}")


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for error messages that must not quote the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def dumps(value: Any) -> str:
    """Compact JSON as Jackson's default ``ObjectMapper`` writes it (insertion order kept)."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(f'"{value.translate(_TRANSLATION)}"')
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        text = java_double(value)
        # QUOTE_NON_NUMERIC_NUMBERS is on by default: Jackson writes "NaN" as a string.
        out.append(text if math.isfinite(value) else f'"{text}"')
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(f'"{str(key).translate(_TRANSLATION)}":')
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON value")


def _refuse_constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def loads_first(text: str) -> Any:
    """The first JSON value in ``text`` as Jackson's ``readTree`` reads it: leading
    whitespace skipped, anything after the first value ignored, ``NaN`` refused.

    Raises :class:`NotJson`; empty (or whitespace-only) text is Jackson's ``MissingNode``,
    returned here as :data:`MISSING`.
    """
    start = len(text) - len(text.lstrip(JSON_WHITESPACE))
    if start == len(text):
        return MISSING
    try:
        value, _ = _DECODER.raw_decode(text, start)
    except ValueError as exc:  # json.JSONDecodeError, or NotJson from a constant
        raise NotJson(str(exc)) from None
    return value


class _Missing:
    """Jackson's ``MissingNode``: no content at all. It is written as ``null``."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
