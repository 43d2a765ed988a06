"""Camunda 7 typed variables (``{"value", "type", "valueInfo"}``) to and from plain JSON.

The shapes are those of the engine's REST API (camunda/camunda-bpm-platform
``engine-rest/engine-rest-openapi/src/main/templates/models/org/camunda/bpm/engine/rest/dto/
VariableValueDto.ftl`` and the REST reference's "Variables in the REST API" page): primitive
types carry their value as is, ``Json`` and ``Object`` carry their serialised text (an
``Object`` also names its ``serializationDataFormat`` and ``objectTypeName``), ``Date`` carries
``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` text, ``Null`` carries nothing.

Into the runtime, every variable becomes a JSON value: Json and JSON-serialised Object values
are parsed, Dates stay their text. Out of the runtime, values are typed from their JSON type:
strings String, booleans Boolean, integers Integer (32 bits) or Long, other numbers Double,
null Null, objects and arrays Json (or Object with JSON serialisation, by setting).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Literal

JSON_FORMAT = "application/json"
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
ObjectEncoding = Literal["Json", "Object"]

_PRIMITIVES = {"string", "integer", "long", "short", "double", "boolean"}


class VariableError(ValueError):
    """A variable that cannot be carried across; ``name`` says which."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"variable '{name}': {reason}")
        self.name = name
        self.reason = reason


def from_camunda(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """Plain JSON values of a fetched task's typed variables; raises :class:`VariableError`."""
    return {name: read_value(name, typed) for name, typed in (variables or {}).items()}


def read_value(name: str, typed: Any) -> Any:
    """The JSON value of one typed variable."""
    if not isinstance(typed, Mapping):
        raise VariableError(name, "expected an object with 'type' and 'value'")
    kind = str(typed.get("type") or "").lower()
    value = typed.get("value")
    if kind == "null" or (kind in _PRIMITIVES and value is None):
        return None
    if kind in _PRIMITIVES or kind == "date":
        return value
    if kind == "json":
        return _parse(name, value)
    if kind == "object":
        info = typed.get("valueInfo") or {}
        data_format = info.get("serializationDataFormat") if isinstance(info, Mapping) else None
        if data_format != JSON_FORMAT:
            raise VariableError(
                name,
                f"an Object serialised as {data_format or 'an unknown format'} cannot be read "
                f"(only {JSON_FORMAT})",
            )
        return _parse(name, value)
    raise VariableError(name, f"the type {typed.get('type')!r} is not supported")


def _parse(name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        return value  # already deserialised (deserializeValues=true)
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise VariableError(name, f"its JSON text is not valid ({exc.msg})") from None


def to_camunda(
    variables: Mapping[str, Any] | None, objects: ObjectEncoding = "Json"
) -> dict[str, dict[str, Any]]:
    """Typed variables for ``complete`` / ``bpmnError``; raises :class:`VariableError` for a
    value JSON cannot carry (NaN, Infinity)."""
    return {name: typed_value(name, value, objects) for name, value in (variables or {}).items()}


def typed_value(name: str, value: Any, objects: ObjectEncoding = "Json") -> dict[str, Any]:
    """One value with its Camunda 7 type."""
    if value is None:
        return {"value": None, "type": "Null"}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean"}
    if isinstance(value, int):
        if INT32[0] <= value <= INT32[1]:
            return {"value": value, "type": "Integer"}
        if INT64[0] <= value <= INT64[1]:
            return {"value": value, "type": "Long"}
        return {"value": float(value), "type": "Double"}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise VariableError(name, f"{value} is not a JSON number")
        return {"value": value, "type": "Double"}
    if isinstance(value, str):
        return {"value": value, "type": "String"}
    if isinstance(value, Mapping | list | tuple):
        try:
            text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise VariableError(name, f"not JSON ({exc})") from None
        if objects == "Object":
            type_name = (
                "java.util.LinkedHashMap" if isinstance(value, Mapping) else ("java.util.ArrayList")
            )
            return {
                "value": text,
                "type": "Object",
                "valueInfo": {"objectTypeName": type_name, "serializationDataFormat": JSON_FORMAT},
            }
        return {"value": text, "type": "Json"}
    raise VariableError(name, f"a {type(value).__name__} is not a JSON value")
