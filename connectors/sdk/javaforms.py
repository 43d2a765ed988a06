"""Values written the way Java writes them, for text that must match Camunda's runtime byte for
byte: ``Double.toString`` (``1.0E7``, ``0.001``) and ``String.valueOf`` of a value Jackson read
from JSON (``{a=1, b=[x, true]}``, as ``Map.toString`` and ``List.toString`` print). Camunda's
HTTP client renders form fields and multipart parts so (connector-commons/http-client/.../
ApacheRequestBodyBuilder.java), its job handler the error variables of a fail command, its
RabbitMQ connector the message properties.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["java_double", "java_value_of"]


def java_double(value: float) -> str:
    """``Double.toString``: shortest digits, plain for 1e-3 <= |x| < 1e7, else ``d.dddEn``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if 1e-3 <= magnitude < 1e7:
        text = repr(magnitude)  # Python is positional throughout this range
        return sign + (text if "." in text else text + ".0")
    _, digit_tuple, exponent = Decimal(repr(magnitude)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    power = len(digits) + exponent - 1
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{power}"


def java_value_of(value: Any) -> str:
    """``String.valueOf`` of a JSON value as Jackson reads it (Map, List, String, Integer,
    Double, Boolean, null)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={java_value_of(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_value_of(v) for v in value) + "]"
    return str(value)
