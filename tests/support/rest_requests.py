"""Reading request bodies as strictly as Camunda's REST gateway does, and its problem answers
(shared by the Orchestration Cluster REST stand-in and its search endpoints): see
``tests.support.camunda_rest`` for the facts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request


class Problem(Exception):
    """An RFC 9457 problem answer (``application/problem+json``)."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def _unparsable(name: str) -> Problem:
    return Problem(400, "Bad Request", f"Request property [{name}] cannot be parsed")


def _missing(*names: str) -> Problem:
    return Problem(400, "INVALID_ARGUMENT", " ".join(f"No {n} provided." for n in names))


Check = Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_nullable_object(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_key(value: Any) -> bool:
    # Keys are strings of digits on the v2 API (keys.yaml: pattern ^-?[0-9]+$).
    return isinstance(value, str) and value.lstrip("-").isdigit()


def _is_any(value: Any) -> bool:
    return True


def _read(body: Any, schema: Mapping[str, Check], prefix: str = "") -> dict[str, Any]:
    """Check a JSON object against ``schema`` (property -> type check); refuse unknown
    properties and wrong types as the REST gateway does. ``null`` passes as absent."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise Problem(400, "Bad Request", "Failed to read request")
    for name, value in body.items():
        check = schema.get(name)
        if check is None or (value is not None and not check(value)):
            raise _unparsable(prefix + name)
    return {k: v for k, v in body.items() if v is not None}


async def _json_body(request: Request, *, required: bool) -> Any:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise Problem(400, "Bad Request", "Required request body is missing")
        return None
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except ValueError:
        raise Problem(400, "Bad Request", "Failed to read request") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _path_key(request: Request, name: str) -> int:
    text = request.path_params[name]
    if not text.lstrip("-").isdigit():
        raise Problem(
            400,
            "INVALID_ARGUMENT",
            f"The provided {name} '{text}' is not a valid key. Expected a numeric value.",
        )
    return int(text)
