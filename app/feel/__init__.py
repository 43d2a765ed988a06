"""A safe, fast FEEL (DMN 1.5, feel-scala flavour) interpreter.

Usage::

    from app.feel import compile, evaluate, unary_test

    expr = compile('= {"id": response.body.id}')  # cached; reusable from any thread
    expr.evaluate({"response": {...}})

Values in and out are JSON-like Python values; see ``to_feel`` and ``to_json``.
Evaluation problems give ``None`` plus a warning (``evaluate_detailed``); only ``FeelError``
subclasses are ever raised.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.feel import diagnostics, limits
from app.feel.ast import NO_SPAN
from app.feel.compiler import Compiler
from app.feel.convert import to_feel, to_json
from app.feel.diagnostics import WARNING_TYPES, FeelWarning
from app.feel.errors import (
    BudgetExceeded,
    FeelError,
    FeelEvaluationError,
    FeelLimitError,
    FeelSyntaxError,
)
from app.feel.parser import parse_expression, parse_unary_tests
from app.feel.values import EvalState, Problem, Scope

__all__ = [
    "WARNING_TYPES",
    "BudgetExceeded",
    "EvaluationResult",
    "Expression",
    "FeelError",
    "FeelEvaluationError",
    "FeelLimitError",
    "FeelSyntaxError",
    "FeelWarning",
    "UnaryTests",
    "compile",
    "compile_unary_tests",
    "evaluate",
    "to_feel",
    "to_json",
    "unary_test",
]


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """The JSON-ready result of an evaluation and the warnings collected on the way
    (each with its type, message and span; see :class:`FeelWarning`)."""

    value: Any
    warnings: list[FeelWarning] = field(default_factory=list)


def _strip(expr: str) -> tuple[str, int]:
    """The expression without a leading ``=``, and its offset in the original text."""
    text = expr.lstrip()
    if text.startswith("="):
        text = text[1:].lstrip()
    return text.rstrip(), len(expr) - len(text)


def _run(
    fn: Callable[[Scope], Any], variables: dict[str, Any], budget: int | None = None
) -> tuple[Any, EvalState]:
    state = EvalState(budget)
    try:
        return fn(Scope(variables, None, state)), state
    except Problem as exc:  # a problem no inner operation turned into null
        state.warn(exc.type or diagnostics.UNKNOWN, str(exc), NO_SPAN)
        return None, state
    except FeelError:
        raise
    except RecursionError as exc:
        raise FeelLimitError("expression evaluation nested too deeply") from exc
    except MemoryError as exc:
        raise FeelLimitError("expression evaluation ran out of memory") from exc
    except Exception as exc:  # an engine bug must still surface as a FeelError
        raise FeelEvaluationError(f"internal error: {type(exc).__name__}") from exc


def _json(value: Any) -> Any:
    try:
        return to_json(value)
    except RecursionError as exc:
        raise FeelLimitError("result nested too deeply") from exc


def _variables(context: Mapping[str, Any] | None) -> dict[str, Any]:
    if context is None:
        return {}
    if type(context) is dict:
        return context  # values are adapted lazily where expressions reach them
    if not isinstance(context, Mapping):
        raise FeelEvaluationError("the evaluation context must be a mapping")
    try:
        converted = to_feel(context)
    except RecursionError as exc:
        raise FeelLimitError("input nested too deeply") from exc
    return converted if type(converted) is dict else dict(converted)


class Expression:
    """A compiled FEEL expression. Immutable and safe to share between threads."""

    __slots__ = ("_fn", "source")

    def __init__(self, source: str, fn: Callable[[Scope], Any]) -> None:
        self.source = source
        self._fn = fn

    def evaluate(
        self, context: Mapping[str, Any] | None = None, *, max_steps: int | None = None
    ) -> Any:
        """Evaluate with the given variables; returns a JSON-ready value (None on problems).

        ``max_steps`` below the process limit (``limits.MAX_STEPS``) stops an evaluation
        that needs more with :class:`BudgetExceeded`: a caller on an event loop runs short
        expressions in place and hands the long ones to a thread.
        """
        value, _ = _run(self._fn, _variables(context), max_steps)
        return _json(value)

    def evaluate_detailed(
        self, context: Mapping[str, Any] | None = None, *, max_steps: int | None = None
    ) -> EvaluationResult:
        """Like ``evaluate`` but also returns the warnings (why a result is null)."""
        value, state = _run(self._fn, _variables(context), max_steps)
        return EvaluationResult(_json(value), list(state.warnings))

    def evaluate_raw(self, context: Mapping[str, Any] | None = None) -> Any:
        """Evaluate and return the FEEL value itself (Decimal, date, timedelta, ...)."""
        value, _ = _run(self._fn, _variables(context))
        return value

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


class UnaryTests:
    """Compiled unary tests (``< 5``, ``"a", "b"``, ``[1..3]``, ``not(...)``, ``-``)."""

    __slots__ = ("_fn", "source")

    def __init__(self, source: str, fn: Callable[[Scope], Any]) -> None:
        self.source = source
        self._fn = fn

    def test(self, input: Any, context: Mapping[str, Any] | None = None) -> bool:
        """True when the input value satisfies the tests (null results count as False)."""
        variables = dict(_variables(context))
        variables["?"] = to_feel(input)
        value, _ = _run(self._fn, variables)
        return value is True


def _compile_node(parse: Callable[[str], Any], expr: str) -> Callable[[Scope], Any]:
    text, offset = _strip(expr)
    if not text:
        raise FeelSyntaxError("empty expression", offset, expr)
    try:
        node = parse(text)
        return Compiler(offset).compile(node)
    except FeelSyntaxError as exc:
        # Positions are reported in the caller's text, leading "=" included.
        raise FeelSyntaxError(exc.reason, exc.position + offset, expr) from None
    except RecursionError:
        raise FeelSyntaxError("expression nested too deeply", offset, expr) from None


@functools.lru_cache(maxsize=2048)
def _compile_cached(expr: str) -> Expression:
    return Expression(expr, _compile_node(parse_expression, expr))


@functools.lru_cache(maxsize=1024)
def _compile_tests_cached(expr: str) -> UnaryTests:
    return UnaryTests(expr, _compile_node(parse_unary_tests, expr))


def compile(expr: str) -> Expression:
    """Parse and compile a FEEL expression (a leading ``=`` is ignored). Cached."""
    if not isinstance(expr, str):
        raise FeelSyntaxError("expression must be a string", 0)
    if len(expr) > limits.MAX_EXPRESSION_LENGTH:
        raise FeelSyntaxError(
            f"expression longer than {limits.MAX_EXPRESSION_LENGTH} characters", 0
        )
    return _compile_cached(expr)


def compile_unary_tests(expr: str) -> UnaryTests:
    """Parse and compile FEEL unary tests. Cached."""
    if not isinstance(expr, str):
        raise FeelSyntaxError("unary tests must be a string", 0)
    if len(expr) > limits.MAX_EXPRESSION_LENGTH:
        raise FeelSyntaxError(
            f"expression longer than {limits.MAX_EXPRESSION_LENGTH} characters", 0
        )
    return _compile_tests_cached(expr)


def evaluate(expr: str, context: Mapping[str, Any] | None = None) -> Any:
    """Compile (cached) and evaluate ``expr``; returns a JSON-ready value."""
    return compile(expr).evaluate(context)


def unary_test(expr: str, input: Any, context: Mapping[str, Any] | None = None) -> bool:
    """Whether ``input`` satisfies the unary tests ``expr`` (e.g. ``"> 5"``, ``"[1..3]"``)."""
    return compile_unary_tests(expr).test(input, context)
