"""JSON request bodies read strictly: only what JSON allows, within bounds.

Python's ``json`` module accepts ``NaN`` and ``Infinity``, turns ``1e999`` into infinity and
keeps lone surrogates (``"\\ud800"``) that no UTF-8 encoder can write; any of them would
surface later as a server error, or worse, as an outcome recorded but never answered. Here
they are refused as invalid JSON (422 naming the position and the reason), as are numbers
too long to convert and nesting deeper than the configured depth.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response, params
from fastapi.routing import APIRoute

from app.api.problems import FieldError, ProblemError

MAX_NUMBER_DIGITS = 4000  # below Python's int-string conversion limit (4300)
DEFAULT_MAX_DEPTH = 128


def loads_strict(body: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Parse ``body`` as strict JSON; :class:`json.JSONDecodeError` names what is wrong."""
    text = body.decode("utf-8") if isinstance(body, bytes | bytearray) else body

    def constant(name: str) -> Any:
        raise json.JSONDecodeError(f"{name} is not a JSON value", text, text.find(name))

    def number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
        def parse(literal: str) -> Any:
            if len(literal) > MAX_NUMBER_DIGITS:
                raise json.JSONDecodeError(
                    f"number with {len(literal)} characters (at most {MAX_NUMBER_DIGITS})",
                    text,
                    text.find(literal[:20]),
                )
            value = kind(literal)
            if isinstance(value, float) and math.isinf(value):
                raise json.JSONDecodeError(
                    f"number {literal[:40]} is too large", text, text.find(literal)
                )
            return value

        return parse

    value = json.loads(
        text, parse_constant=constant, parse_float=number(float), parse_int=number(int)
    )
    _check(value, text, max_depth)
    return value


def _check(value: Any, text: str, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, text)
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise json.JSONDecodeError(
                    f"nested deeper than {max_depth} levels", text, _depth_position(text, depth)
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key, text)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(item: str, text: str) -> None:
    try:
        item.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = item[exc.start]
        position = text.lower().find(f"\\u{ord(bad):04x}")
        raise json.JSONDecodeError(
            f"lone surrogate \\u{ord(bad):04x} in a string (not encodable as UTF-8)",
            text,
            max(position, 0),
        ) from None


def _depth_position(text: str, depth: int) -> int:
    level = 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            if level == depth:
                return index
        elif char in "]}":
            level -= 1
    return 0


class StrictJsonRequest(Request):
    """A request whose ``json()`` is :func:`loads_strict`."""

    max_depth = DEFAULT_MAX_DEPTH

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body(), max_depth=self.max_depth)
        return self._json


class StrictJsonRoute(APIRoute):
    """An API route that reads JSON bodies with :class:`StrictJsonRequest`; the depth bound
    comes from ``request.state.services.settings.max_json_depth`` when it is there."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None and not isinstance(
            self.body_field.field_info, params.Form
        )

        async def strict_handler(request: Request) -> Response:
            if takes_json:
                _check_content_type(request)
            strict = StrictJsonRequest(request.scope, request.receive)
            services = getattr(request.state, "services", None)
            if services is not None:
                strict.max_depth = services.settings.max_json_depth
            return await handler(strict)

        return strict_handler


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (parameters such as charset allowed)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _check_content_type(request: Request) -> None:
    """A body declared as anything but JSON is refused with 415 before it is read (no
    Content-Type at all is read as JSON, as FastAPI does)."""
    content_type = request.headers.get("content-type")
    if content_type is None or is_json_media_type(content_type):
        return
    media = content_type.split(";", 1)[0].strip()[:100] or "(empty)"
    reason = f"must be application/json, not {media}"
    raise ProblemError(
        415,
        f"Content-Type: {reason}",
        errors=[FieldError(location="header", field="Content-Type", reason=reason)],
    )
