"""Syntax tree of FEEL expressions and unary tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Node:
    __slots__ = ()


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
