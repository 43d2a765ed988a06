"""FEEL runtime values and the per-evaluation state.

Representation: null -> None, boolean -> bool, number -> int or Decimal (never float, never bool),
string -> str, list -> list, context -> dict, date -> datetime.date, time -> datetime.time,
date and time -> datetime.datetime, days and time duration -> datetime.timedelta,
years and months duration -> YearMonthDuration, range -> Range, function -> FeelFunction.
"""

from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.feel import limits
from app.feel.diagnostics import FeelWarning, Span
from app.feel.diagnostics import Problem as Problem  # raised by operations and built-ins
from app.feel.errors import BudgetExceeded, FeelLimitError

# feel-scala computes with java.math.MathContext.DECIMAL128: 34 significant digits, half-even.
D128 = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
INT_LIMIT = 10**34


class YearMonthDuration:
    """A years-and-months duration, stored as a signed number of months."""

    __slots__ = ("months",)

    def __init__(self, months: int) -> None:
        self.months = months

    def __eq__(self, other: object) -> bool:
        return isinstance(other, YearMonthDuration) and other.months == self.months

    def __hash__(self) -> int:
        return hash(("ym", self.months))

    def __lt__(self, other: YearMonthDuration) -> bool:
        return self.months < other.months

    def __le__(self, other: YearMonthDuration) -> bool:
        return self.months <= other.months

    def __gt__(self, other: YearMonthDuration) -> bool:
        return self.months > other.months

    def __ge__(self, other: YearMonthDuration) -> bool:
        return self.months >= other.months

    def __repr__(self) -> str:
        return f"YearMonthDuration({self.months})"


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range (interval). A missing bound is None (e.g. the range of ``< 5``)."""

    start: Any
    start_included: bool
    end: Any
    end_included: bool


@dataclass(frozen=True, slots=True)
class UnaryTestValue:
    """The value of a unary comparison like ``< 5`` used as an expression (e.g. in ``x in < 5``)."""

    op: str
    operand: Any


class FeelFunction:
    """A callable FEEL value: a built-in or a ``function(...)`` literal.

    ``invoke(state, args)`` receives positional arguments already matched to ``params``.
    """

    __slots__ = ("invoke", "name", "params", "required", "varargs")

    def __init__(
        self,
        name: str,
        params: Sequence[str],
        invoke: Callable[[EvalState, list[Any]], Any],
        required: int | None = None,
        varargs: bool = False,
    ) -> None:
        self.name = name
        self.params = tuple(params)
        self.invoke = invoke
        self.required = len(self.params) if required is None else required
        self.varargs = varargs

    def accepts(self, count: int) -> bool:
        if count < self.required:
            return False
        return self.varargs or count <= len(self.params)

    def __repr__(self) -> str:
        return f"FeelFunction({self.name}({', '.join(self.params)}))"


_CLOCK_EVERY = 2048


class EvalState:
    """Mutable state of one evaluation: warnings and resource budgets."""

    __slots__ = ("_budget", "_deadline", "_limit", "_next_check", "call_depth", "steps", "warnings")

    def __init__(self, budget: int | None = None) -> None:
        self.warnings: list[FeelWarning] = []
        self.steps = 0
        self.call_depth = 0
        self._deadline = time.monotonic() + limits.MAX_SECONDS
        # A caller's budget below the process limit ends the evaluation with BudgetExceeded
        # (try again elsewhere) instead of FeelLimitError (too expensive anywhere).
        self._budget = budget if budget is not None and budget < limits.MAX_STEPS else None
        self._limit = limits.MAX_STEPS if self._budget is None else self._budget
        self._next_check = min(_CLOCK_EVERY, self._limit)

    def warn(self, type: str, message: str, span: Span) -> None:
        if len(self.warnings) < limits.MAX_WARNINGS:
            self.warnings.append(FeelWarning(type, message, span))

    def tick(self, count: int = 1) -> None:
        self.steps += count
        if self.steps >= self._next_check:
            self._check_budget()

    def _check_budget(self) -> None:
        if self._budget is not None and self.steps > self._budget:
            raise BudgetExceeded(f"evaluation needs more than {self._budget} steps")
        if self.steps > limits.MAX_STEPS:
            raise FeelLimitError(
                f"evaluation exceeded the iteration budget of {limits.MAX_STEPS} steps"
            )
        if time.monotonic() > self._deadline:
            raise FeelLimitError(f"evaluation took longer than {limits.MAX_SECONDS:g} seconds")
        # The clock is read every few thousand steps, not on every one.
        self._next_check = min(self.steps + _CLOCK_EVERY, self._limit + 1)


class Scope:
    """A chain of variable dictionaries, innermost first."""

    __slots__ = ("parent", "state", "vars")

    def __init__(self, vars: dict[str, Any], parent: Scope | None, state: EvalState) -> None:
        self.vars = vars
        self.parent = parent
        self.state = state

    def child(self, vars: dict[str, Any]) -> Scope:
        return Scope(vars, self, self.state)


MISSING = object()


def lookup(scope: Scope, name: str) -> Any:
    s: Scope | None = scope
    while s is not None:
        v = s.vars.get(name, MISSING)
        if v is not MISSING:
            return v
        s = s.parent
    return MISSING


def is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is Decimal or t is float


_FLOAT_CACHE: dict[float, Decimal] = {}


def float_to_decimal(v: float) -> Decimal:
    """JSON floats are read as the decimal they were written as (0.1 -> 0.1)."""
    d = _FLOAT_CACHE.get(v)
    if d is not None:
        return d
    if v != v or v in (float("inf"), float("-inf")):
        raise Problem("not a finite number")
    d = Decimal(repr(v))
    if len(_FLOAT_CACHE) >= 4096:
        _FLOAT_CACHE.clear()
    _FLOAT_CACHE[v] = d
    return d


def number(v: Any) -> Any:
    """Normalize a float (as found in JSON input) to Decimal; other values unchanged."""
    return float_to_decimal(v) if type(v) is float else v


def norm_int(v: int) -> int | Decimal:
    if -INT_LIMIT < v < INT_LIMIT:
        return v
    return D128.create_decimal(v)


def to_decimal(v: int | Decimal | float) -> Decimal:
    t = type(v)
    if t is Decimal:
        return v  # type: ignore[return-value]
    if t is float:
        return float_to_decimal(v)  # type: ignore[arg-type]
    return Decimal(v)


def check_string(s: str) -> str:
    if len(s) > limits.MAX_STRING_LENGTH:
        raise FeelLimitError(f"string longer than {limits.MAX_STRING_LENGTH} characters")
    return s


def check_list(xs: list[Any]) -> list[Any]:
    if len(xs) > limits.MAX_LIST_LENGTH:
        raise FeelLimitError(f"list longer than {limits.MAX_LIST_LENGTH} elements")
    return xs


def type_name(v: Any) -> str:
    if v is None:
        return "null"
    t = type(v)
    if t is bool:
        return "boolean"
    if t is int or t is Decimal or t is float:
        return "number"
    if t is str:
        return "string"
    if t is list:
        return "list"
    if t is dict:
        return "context"
    if t is dt.datetime:
        return "date and time"
    if t is dt.date:
        return "date"
    if t is dt.time:
        return "time"
    if t is dt.timedelta:
        return "days and time duration"
    if t is YearMonthDuration:
        return "years and months duration"
    if t is Range:
        return "range"
    if t is FeelFunction:
        return "function"
    return "unknown"


# The type names of ``instance of`` (feel-scala's names and the DMN aliases).
TYPES: dict[str, Callable[[Any], bool]] = {
    "number": is_number,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "date": lambda v: type(v) is dt.date,
    "time": lambda v: type(v) is dt.time,
    "date and time": lambda v: type(v) is dt.datetime,
    "days and time duration": lambda v: type(v) is dt.timedelta,
    "years and months duration": lambda v: type(v) is YearMonthDuration,
    "list": lambda v: type(v) is list,
    "context": lambda v: type(v) is dict,
    "function": lambda v: type(v) is FeelFunction,
    "range": lambda v: type(v) is Range,
    "date time": lambda v: type(v) is dt.datetime,
    "year-month-duration": lambda v: type(v) is YearMonthDuration,
    "day-time-duration": lambda v: type(v) is dt.timedelta,
    "Any": lambda v: v is not None,
    "Null": lambda v: v is None,
    "null": lambda v: v is None,
}
