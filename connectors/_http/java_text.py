"""Values rendered as Java's ``String.valueOf`` renders what Jackson reads from JSON.

Camunda's HTTP client turns form fields and multipart parts into text with
``String.valueOf`` (camunda/connectors connector-commons/http-client/.../builder/parts/
ApacheRequestBodyBuilder.java and DocumentAwareMultipartEntityBuilder.java): a list is
``[a, b]``, a map ``{k=v, k2=v2}``, null ``null``, a decimal number ``Double.toString``'s
form (``12.5``, ``1.0E7``, ``1.0E-4``). Read, not copied.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def java_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_text(k)}={java_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def java_double(value: float) -> str:
    """``Double.toString``: the shortest digits (as ``repr``), Java's layout."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(magnitude)
        if "e" in text or "E" in text:  # repr never does this in this range; be safe
            text = format(Decimal(text), "f")
        return sign + (text if "." in text else text + ".0")
    digits, exponent = _digits(magnitude)
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{exponent}"


def _digits(magnitude: float) -> tuple[str, int]:
    _, digits, exponent = Decimal(repr(magnitude)).as_tuple()
    text = "".join(str(d) for d in digits).rstrip("0") or "0"
    assert isinstance(exponent, int)
    return text, exponent + len(digits) - 1
