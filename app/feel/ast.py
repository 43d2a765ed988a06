"""Syntax tree of FEEL expressions and unary tests."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

NO_SPAN = (0, 0)


@dataclass(slots=True)
class Node:
    # (start, end) offsets of the node's text in the parsed source; warnings carry it.
    span: tuple[int, int] = field(default=NO_SPAN, kw_only=True, compare=False)


@dataclass(slots=True)
class Literal(Node):
    value: Any  # None, bool, int, Decimal, str


@dataclass(slots=True)
class TemporalLiteral(Node):
    text: str
    pos: int


@dataclass(slots=True)
class Name(Node):
    name: str


@dataclass(slots=True)
class ListLit(Node):
    items: list[Node]


@dataclass(slots=True)
class ContextLit(Node):
    entries: list[tuple[str, Node]]


@dataclass(slots=True)
class RangeLit(Node):
    start_included: bool
    start: Node | None
    end: Node | None
    end_included: bool


@dataclass(slots=True)
class Path(Node):
    target: Node
    name: str


@dataclass(slots=True)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(slots=True)
class Call(Node):
    target: Node
    args: list[Node]
    named: list[tuple[str, Node]] | None


@dataclass(slots=True)
class Negate(Node):
    operand: Node


@dataclass(slots=True)
class Binary(Node):
    op: str  # + - * / ** = != < <= > >=
    left: Node
    right: Node


@dataclass(slots=True)
class And(Node):
    left: Node
    right: Node


@dataclass(slots=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(slots=True)
class In(Node):
    value: Node
    tests: list[Node]


@dataclass(slots=True)
class InstanceOf(Node):
    value: Node
    type_name: str


@dataclass(slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(slots=True)
class IterRange(Node):
    start: Node
    end: Node


@dataclass(slots=True)
class For(Node):
    iterators: list[tuple[str, Node]]
    body: Node


@dataclass(slots=True)
class Quantified(Node):
    every: bool
    iterators: list[tuple[str, Node]]
    condition: Node


@dataclass(slots=True)
class FunctionDef(Node):
    params: list[str]
    body: Node


@dataclass(slots=True)
class UnaryCompare(Node):
    """A positive unary test like ``< 5``; compares the input value with the operand."""

    op: str
    operand: Node


@dataclass(slots=True)
class UnaryTests(Node):
    """Top-level unary tests: ``-``, ``a, b, c`` or ``not(a, b)``."""

    tests: list[Node] | None  # None means "-" (any input)
    negated: bool


def uses_name(node: Any, name: str) -> bool:
    """Whether ``node`` or any node below it is the name ``name``."""
    if isinstance(node, Name):
        return node.name == name
    if isinstance(node, Node):
        return any(
            uses_name(getattr(node, f.name), name)
            for f in fields(node)  # type: ignore[arg-type]
            if f.name != "span"
        )
    if isinstance(node, list | tuple):
        return any(uses_name(x, name) for x in node)
    return False
