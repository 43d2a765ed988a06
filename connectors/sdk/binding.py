"""Turn job variables into a connector's pydantic input model, with human-readable errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from connectors.sdk.errors import ConnectorInputError, FieldError

M = TypeVar("M", bound=BaseModel)


def format_location(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a dotted path: ``a.b[0].c``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(input)"


def field_errors(error: ValidationError) -> list[FieldError]:
    """Every failing field of a pydantic ``ValidationError``, without the offending values.

    Input values are left out on purpose: they may hold resolved secrets.
    """
    result: list[FieldError] = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(item.get("loc", ()))
        # Discriminated unions insert the tag into the location; keep the path the user wrote.
        if item.get("type") not in ("union_tag_invalid", "union_tag_not_found"):
            loc = tuple(p for p in loc if not _is_union_tag(p))
        result.append(FieldError(format_location(loc), str(item.get("msg", "invalid"))))
    return result


def _is_union_tag(part: int | str) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def bind(model: type[M], variables: Mapping[str, Any]) -> M:
    """Validate ``variables`` into ``model`` or raise :class:`ConnectorInputError`.

    The error message names every failing field path and its reason.
    """
    try:
        return model.model_validate(dict(variables), by_alias=True, by_name=True)
    except ValidationError as exc:
        errors = field_errors(exc)
        details = "; ".join(str(e) for e in errors)
        count = len(errors)
        noun = "field" if count == 1 else "fields"
        raise ConnectorInputError(
            f"Invalid input ({count} {noun}): {details}", errors=errors
        ) from None
