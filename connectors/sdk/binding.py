"""Turn job variables into a connector's pydantic input model, with human-readable errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, get_args, get_origin

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


def field_errors(error: ValidationError, model: type[BaseModel] | None = None) -> list[FieldError]:
    """Every failing field of a pydantic ``ValidationError``, without the offending values.

    Input values are left out on purpose: they may hold resolved secrets. With ``model``,
    the variant tags pydantic inserts for discriminated unions are dropped, so paths read as
    the variables are written (``authentication.username``, not
    ``authentication.basic.username``).
    """
    result: list[FieldError] = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(p for p in item.get("loc", ()) if not _is_validator_step(p))
        loc, discriminator = _without_union_tags(model, loc)
        if item.get("type") in ("union_tag_invalid", "union_tag_not_found") and discriminator:
            loc = (*loc, discriminator)
        result.append(FieldError(format_location(loc), str(item.get("msg", "invalid"))))
    return result


def _is_validator_step(part: int | str) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _without_union_tags(
    model: type[BaseModel] | None, loc: tuple[int | str, ...]
) -> tuple[tuple[int | str, ...], str | None]:
    """Drop discriminated-union tags from ``loc``; also return the discriminator of the last
    union field passed (for "invalid tag" errors, which point at the union itself)."""
    kept: list[int | str] = []
    current: Any = model
    discriminator: str | None = None
    index = 0
    while index < len(loc):
        part = loc[index]
        index += 1
        tagged = _annotated_discriminator(current)
        if tagged is not None and not isinstance(part, int):
            members = _tagged_members(current, tagged)
            if part in members:
                current = members[part]
                continue
        kept.append(part)
        discriminator = None
        if isinstance(part, int):
            current = _item_type(current)
            discriminator = _tag_alias(current, _annotated_discriminator(current))
            continue
        info = _field(current, part)
        if info is None:
            current = None
            continue
        annotation = info.annotation
        if isinstance(info.discriminator, str):
            discriminator = _tag_alias(annotation, info.discriminator)
            members = _tagged_members(annotation, info.discriminator)
            if index < len(loc) and loc[index] in members:
                current = members[loc[index]]
                index += 1
                discriminator = None
                continue
        current = annotation
    return tuple(kept), discriminator


def _tag_alias(annotation: Any, discriminator: str | None) -> str | None:
    """The discriminator as the variables spell it: its field's alias, if it has one."""
    if discriminator is None:
        return None
    for member in _tagged_members(annotation, discriminator).values():
        info = _field(member, discriminator)
        if info is not None and isinstance(info.alias, str):
            return info.alias
    return discriminator


def _annotated_discriminator(annotation: Any) -> str | None:
    """The discriminator of ``Annotated[A | B, Field(discriminator=...)]`` (list items)."""
    for meta in getattr(annotation, "__metadata__", ()):
        value = getattr(meta, "discriminator", None)
        if isinstance(value, str):
            return value
    return None


def _field(model: Any, name: str) -> Any:
    model = _model_in(model)
    if model is None:
        return None
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
    return models[0] if len(models) == 1 else None


def _item_type(annotation: Any) -> Any:
    if get_origin(annotation) in (list, tuple, set, frozenset):
        args = get_args(annotation)
        return args[0] if args else None
    if get_origin(annotation) is dict:
        args = get_args(annotation)
        return args[1] if len(args) == 2 else None
    for arg in get_args(annotation):  # Optional[list[X]]
        if get_origin(arg) in (list, tuple):
            return _item_type(arg)
    return None


def _tagged_members(annotation: Any, discriminator: str) -> dict[Any, type[BaseModel]]:
    members: dict[Any, type[BaseModel]] = {}
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            tag_field = _field(arg, discriminator)
            if tag_field is not None:
                for value in get_args(tag_field.annotation):
                    members[value] = arg
        else:
            members.update(_tagged_members(arg, discriminator))
    return members


def bind(model: type[M], variables: Mapping[str, Any]) -> M:
    """Validate ``variables`` into ``model`` or raise :class:`ConnectorInputError`.

    The error message names every failing field path and its reason.
    """
    try:
        return model.model_validate(dict(variables), by_alias=True, by_name=True)
    except ValidationError as exc:
        errors = field_errors(exc, model)
        details = "; ".join(str(e) for e in errors)
        count = len(errors)
        noun = "field" if count == 1 else "fields"
        raise ConnectorInputError(
            f"Invalid input ({count} {noun}): {details}", errors=errors
        ) from None
