"""Classify a field's Python annotation into what the element template can show for it."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import pathlib
import types
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr

# Kinds of leaf values.
BOOLEAN = "boolean"
NUMBER = "number"
STRING = "string"
CHOICE = "choice"  # Literal or Enum: a dropdown
CONSTANT = "constant"  # a single-value Literal: a hidden property
JSON = "json"  # dict, list, Any...: a FEEL expression producing the value
MODEL = "model"  # a nested pydantic model
UNION = "union"  # a union of pydantic models

_STRING_TYPES: tuple[type, ...] = (
    str,
    bytes,
    dt.datetime,
    dt.date,
    dt.time,
    dt.timedelta,
    uuid.UUID,
    pathlib.PurePath,
    SecretStr,
)


@dataclass(frozen=True)
class Shape:
    """The unwrapped annotation of a field: its kind, whether ``None`` is allowed, and
    for choices, the allowed values with the names to show."""

    kind: str
    annotation: Any
    nullable: bool = False
    values: tuple[tuple[Any, str], ...] = ()
    members: tuple[type[BaseModel], ...] = ()

    @property
    def is_secret_type(self) -> bool:
        return self.annotation is SecretStr


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Strip ``Annotated`` and ``None`` from a union; return the rest and whether None was in it."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if _is_union(annotation):
        args = get_args(annotation)
        rest = tuple(a for a in args if a is not type(None))
        nullable = len(rest) != len(args)
        if len(rest) == 1:
            inner, inner_nullable = unwrap_optional(rest[0])
            return inner, nullable or inner_nullable
        return Union[rest], nullable  # noqa: UP007 - rebuilding a union from a tuple
    return annotation, False


def shape_of(annotation: Any) -> Shape:
    """Classify ``annotation`` (as pydantic stores it on a field)."""
    inner, nullable = unwrap_optional(annotation)
    if inner is Any or inner is object:
        return Shape(JSON, inner, nullable)
    if get_origin(inner) is Literal:
        values = tuple((v.value if isinstance(v, enum.Enum) else v) for v in get_args(inner))
        kind = CONSTANT if len(values) == 1 else CHOICE
        return Shape(kind, inner, nullable, tuple((v, str(v)) for v in values))
    if _is_union(inner):
        members = tuple(unwrap_optional(a)[0] for a in get_args(inner))
        if all(isinstance(m, type) and issubclass(m, BaseModel) for m in members):
            return Shape(UNION, inner, nullable, members=members)
        return Shape(JSON, inner, nullable)
    if isinstance(inner, type):
        if issubclass(inner, bool):
            return Shape(BOOLEAN, inner, nullable)
        if issubclass(inner, enum.Enum):
            values = tuple((m.value, _enum_name(m)) for m in inner)
            return Shape(CHOICE, inner, nullable, values)
        if issubclass(inner, int | float | decimal.Decimal):
            return Shape(NUMBER, inner, nullable)
        if issubclass(inner, BaseModel):
            return Shape(MODEL, inner, nullable)
        if issubclass(inner, _STRING_TYPES):
            return Shape(STRING, inner, nullable)
    if _is_pydantic_url(inner):
        return Shape(STRING, inner, nullable)
    return Shape(JSON, inner, nullable)


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _is_pydantic_url(annotation: Any) -> bool:
    # pydantic's AnyUrl/HttpUrl... are classes from pydantic.networks, but not str subclasses.
    return isinstance(annotation, type) and annotation.__module__ == "pydantic.networks"


def _enum_name(member: enum.Enum) -> str:
    return member.name.replace("_", " ").capitalize()
