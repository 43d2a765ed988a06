"""Walk a pydantic input model into a flat list of template inputs (one per leaf field).

Nested models become dotted binding names; a discriminated union becomes one dropdown
for the discriminator plus the fields of every variant, each shown only for its values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from connectors.sdk.fields import Condition, Property
from connectors.sdk.templates import types as t
from connectors.sdk.templates.errors import TemplateError

DEFAULT_GROUP = "input"
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Cond:
    """A visibility condition, before property ids are known.

    Either ``target`` (an input found while walking: a discriminator dropdown) or
    ``reference`` (an author's :class:`Condition`, resolved by binding name later).
    """

    kind: Literal["equals", "oneOf", "isActive", "isEmpty"]
    value: Any
    target: Input | None = None
    reference: str | None = None
    prefix: str = ""
    origin: str = ""


@dataclass(eq=False)
class Input:
    """One template property generated from the input model."""

    binding: str
    name: str
    origin: str  # "Model.field" for error messages
    shape: t.Shape
    prop: Property
    info: FieldInfo | None
    required: bool
    group: str
    conditions: tuple[Cond, ...] = ()
    variant: tuple[tuple[str, str], ...] = ()  # (union binding path, tag), outermost first
    choices: tuple[tuple[Any, str], ...] | None = None
    default: Any = PydanticUndefined
    id: str = ""


@dataclass(frozen=True)
class _Scope:
    prefix: str = ""
    group: str | None = None
    required: bool = True
    conditions: tuple[Cond, ...] = ()
    variant: tuple[tuple[str, str], ...] = ()
    models: tuple[type[BaseModel], ...] = field(default_factory=tuple)


def walk(model: type[BaseModel]) -> list[Input]:
    """All leaf inputs of ``model`` in declaration order."""
    return list(_walk_model(model, _Scope(models=(model,))))


def _walk_model(model: type[BaseModel], scope: _Scope, skip: str | None = None) -> Iterator[Input]:
    if len(scope.models) > _MAX_DEPTH:
        raise TemplateError(f"{model.__name__}: input models nest deeper than {_MAX_DEPTH} levels")
    for name, info in model.model_fields.items():
        if name == skip:
            continue
        yield from _walk_field(model, name, info, scope)


def _walk_field(
    model: type[BaseModel], name: str, info: FieldInfo, scope: _Scope
) -> Iterator[Input]:
    origin = f"{model.__name__}.{name}"
    prop = merged_property(info.metadata)
    key = info.alias if isinstance(info.alias, str) else name
    binding = prop.binding or f"{scope.prefix}{key}"
    shape = t.shape_of(info.annotation)
    required = scope.required and info.is_required() and not shape.nullable
    conditions = scope.conditions
    if prop.condition is not None:
        conditions = (*conditions, _author_condition(prop.condition, scope.prefix, origin))
    group = prop.group or scope.group or DEFAULT_GROUP

    # An explicit type turns a nested model or union into one value (a FEEL context...).
    explicit_leaf = (
        prop.type is not None
        or prop.hidden
        or "type" in prop.extra
        or prop.configuration is not None
    )
    if shape.kind == t.MODEL and not explicit_leaf:
        nested = shape.annotation
        if nested in scope.models:
            raise TemplateError(f"{origin}: recursive model {nested.__name__} cannot be a template")
        child = replace(
            scope,
            prefix=f"{binding}.",
            group=prop.group or scope.group,
            required=required,
            conditions=conditions,
            models=(*scope.models, nested),
        )
        yield from _walk_model(nested, child)
        return
    if shape.kind == t.UNION and not explicit_leaf:
        yield from _walk_union(
            origin, binding, info, prop, shape, required, group, conditions, scope
        )
        return
    yield Input(
        binding=binding,
        name=key,
        origin=origin,
        shape=shape,
        prop=prop,
        info=info,
        required=required,
        group=group,
        conditions=conditions,
        variant=scope.variant,
        default=_default_of(info),
    )


def _walk_union(
    origin: str,
    binding: str,
    info: FieldInfo,
    prop: Property,
    shape: t.Shape,
    required: bool,
    group: str,
    conditions: tuple[Cond, ...],
    scope: _Scope,
) -> Iterator[Input]:
    discriminator = info.discriminator
    if not isinstance(discriminator, str):
        raise TemplateError(
            f"{origin}: a union of models needs Field(discriminator='<field name>') "
            "to become a dropdown (or set Property(type=...) to enter it as one value)"
        )
    variants: list[tuple[type[BaseModel], tuple[Any, ...]]] = []
    tag_key: str | None = None
    tag_binding: str | None = None
    tag_names: dict[Any, str] = {}
    for member in shape.members:
        tag_field = member.model_fields.get(discriminator)
        tags = _literal_values(tag_field.annotation) if tag_field is not None else ()
        if tag_field is None or not tags:
            raise TemplateError(
                f"{origin}: variant {member.__name__} needs a Literal field {discriminator!r}"
            )
        key = tag_field.alias if isinstance(tag_field.alias, str) else discriminator
        if tag_key is not None and key != tag_key:
            raise TemplateError(f"{origin}: variants disagree on the discriminator's alias")
        tag_key = key
        tag_prop = merged_property(tag_field.metadata)
        if tag_prop.binding is not None:
            if tag_binding is not None and tag_prop.binding != tag_binding:
                raise TemplateError(f"{origin}: variants disagree on the discriminator's binding")
            tag_binding = tag_prop.binding
        title = member.model_config.get("title")
        for tag in tags:
            tag_names[tag] = (tag_prop.label if tag_prop else None) or title or str(tag)
        variants.append((member, tags))
    assert tag_key is not None
    choices = _ordered_choices(origin, prop, tag_names)
    default = _union_default(origin, info, discriminator)
    # Property(binding=...) on the variants' Literal field moves the dropdown elsewhere (an
    # "external" discriminator, as Camunda's templates have: ``protocol`` beside ``data``).
    dropdown = Input(
        binding=tag_binding or f"{binding}.{tag_key}",
        name=tag_key,
        origin=origin,
        shape=t.Shape(t.CHOICE, str, shape.nullable, tuple(choices)),
        prop=prop,
        info=info,
        required=required,
        group=group,
        conditions=conditions,
        variant=scope.variant,
        choices=tuple(choices),
        default=default,
    )
    yield dropdown
    for member, tags in variants:
        # Dropdown values are stored as strings, so conditions compare strings.
        tag_condition = (
            Cond("equals", str(tags[0]), target=dropdown, origin=origin)
            if len(tags) == 1
            else Cond("oneOf", [str(tag) for tag in tags], target=dropdown, origin=origin)
        )
        child = replace(
            scope,
            prefix=f"{binding}.",
            group=prop.group or scope.group,
            # A variant's own required fields are required whenever the variant is chosen.
            required=True,
            conditions=(*conditions, tag_condition),
            variant=(*scope.variant, (binding, str(tags[0]))),
            models=(*scope.models, member),
        )
        yield from _walk_model(member, child, skip=discriminator)


def merged_property(metadata: list[Any]) -> Property:
    """All :class:`Property` objects of a field combined; later ones (the outer ``Annotated``)
    override what they set, so a shared annotated type can be refined where it is used."""
    result = Property()
    defaults = Property()
    for item in metadata:
        if isinstance(item, Property):
            changes = {
                f.name: getattr(item, f.name)
                for f in fields(Property)
                if getattr(item, f.name) != getattr(defaults, f.name)
            }
            result = replace(result, **changes)
    return result


def _ordered_choices(
    origin: str, prop: Property, tag_names: dict[Any, str]
) -> list[tuple[Any, str]]:
    if prop.choices is None:
        return list(tag_names.items())
    listed = {c.value for c in prop.choices}
    unknown = listed - {str(v) for v in tag_names}
    missing = {str(v) for v in tag_names} - listed
    if unknown or missing:
        raise TemplateError(
            f"{origin}: Property.choices must list exactly the discriminator values "
            f"{sorted(str(v) for v in tag_names)}"
        )
    by_text = {str(v): v for v in tag_names}
    return [(by_text[c.value], c.name or tag_names[by_text[c.value]]) for c in prop.choices]


def _union_default(origin: str, info: FieldInfo, discriminator: str) -> Any:
    default = _default_of(info)
    if default is PydanticUndefined or default is None:
        return PydanticUndefined
    if isinstance(default, BaseModel):
        return getattr(default, discriminator)
    if isinstance(default, dict):
        return default.get(discriminator, PydanticUndefined)
    raise TemplateError(f"{origin}: cannot tell the default variant from {type(default).__name__}")


def _default_of(info: FieldInfo) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        try:
            return info.default_factory()  # type: ignore[call-arg]
        except TypeError:  # factories taking the validated data
            return PydanticUndefined
    return PydanticUndefined


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    inner, _ = t.unwrap_optional(annotation)
    if get_origin(inner) is Literal:
        return get_args(inner)
    return ()


def _author_condition(condition: Condition, prefix: str, origin: str) -> Cond:
    given = [
        (kind, value)
        for kind, value in (
            ("equals", condition.equals),
            ("oneOf", condition.one_of),
            ("isActive", condition.is_active),
            ("isEmpty", condition.is_empty),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise TemplateError(
            f"{origin}: Condition on {condition.property!r} must set exactly one of "
            "equals, one_of, is_active, is_empty"
        )
    kind, value = given[0]
    if kind == "oneOf":
        value = list(condition.one_of or ())
    return Cond(kind, value, reference=condition.property, prefix=prefix, origin=origin)  # type: ignore[arg-type]
