"""Read the fields of an error-expression result the way Camunda's Jackson mapping does.

Camunda deserialises the JSON of an error expression's result into its ``ConnectorError``
records (camunda/connectors connector-runtime/connector-runtime-core/src/main/java/io/camunda/
connector/runtime/core/error/BpmnError.java, JobError.java, IgnoreError.java) with the
connectors' object mapper (connector-commons/connector-object-mapper/.../
ConnectorsObjectMapperSupplier.java): unknown keys are ignored, scalars are coerced to the
field's type, and a single-element array is unwrapped. A hand-written context
(``{errorType: "bpmnError", errorCode: "X"}``) therefore means what it means in Camunda;
``code`` and ``message`` are unknown keys there and are ignored here too.

Each reader returns ``None`` for a missing or null field and raises ``ValueError`` naming the
reason when Jackson would refuse the value.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from app.runtime.durations import parse_java_duration

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _unwrapped(value: Any, expected: str) -> Any:
    # UNWRAP_SINGLE_VALUE_ARRAYS: [x] reads as x, once; [] and [x, y] are refused.
    if isinstance(value, list):
        if len(value) != 1:
            raise ValueError(f"cannot read an array of {len(value)} elements as {expected}")
        value = value[0]
        if isinstance(value, list):
            raise ValueError(f"cannot read a nested array as {expected}")
    return value


def text(value: Any) -> str | None:
    """A ``String`` field: strings as they are, numbers and booleans as their JSON text."""
    value = _unwrapped(value, "a string")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        raise ValueError("cannot read an object as a string")
    return json.dumps(value, ensure_ascii=False, default=str)


def mapping(value: Any) -> dict[str, Any] | None:
    """A ``Map<String, Object>`` field: only an object."""
    value = _unwrapped(value, "an object")
    if value is None or isinstance(value, dict):
        return value
    raise ValueError(f"cannot read {_kind(value)} as an object")


def integer(value: Any) -> int | None:
    """An ``Integer`` field: whole numbers, fractions truncated (ACCEPT_FLOAT_AS_INT), and
    strings holding a whole number; ``""`` is null."""
    value = _unwrapped(value, "an integer")
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, dict):
        raise ValueError(f"cannot read {_kind(value)} as an integer")
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return None
        try:
            number = int(stripped)
        except ValueError:
            raise ValueError(f"'{value}' is not a valid integer") from None
    else:
        try:
            number = int(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            raise ValueError(f"{value} is not a valid integer") from None
    if not _INT_MIN <= number <= _INT_MAX:
        raise ValueError(f"{number} is out of range of int")
    return number


def duration(value: Any) -> timedelta | None:
    """A ``java.time.Duration`` field: ISO-8601 text (``""`` is null), or a number of
    seconds (JavaTimeModule's reading of numbers)."""
    value = _unwrapped(value, "a duration")
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        return parse_java_duration(stripped) if stripped else None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"cannot read {_kind(value)} as a duration")
    return timedelta(seconds=float(value))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return "a number"
