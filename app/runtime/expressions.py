"""Evaluate the FEEL of ``resultExpression`` / ``errorExpression`` headers into JSON values."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from app.runtime.errors import ExpressionError
from app.runtime.feel_runner import inline_budget
from app.runtime.model import ExpressionWarning

HeaderName = Literal["resultExpression", "errorExpression"]
# The warnings of the job being executed (set by ``collecting_warnings``; asyncio tasks and
# the FEEL pool of ``feel_runner`` run in a copy of the context, so they land here too).
_collected: ContextVar[list[ExpressionWarning] | None] = ContextVar(
    "switchboard_feel_warnings", default=None
)


@contextmanager
def collecting_warnings() -> Iterator[list[ExpressionWarning]]:
    """Collect the FEEL warnings of every ``evaluate`` inside the block into the list."""
    warnings: list[ExpressionWarning] = []
    token = _collected.set(warnings)
    try:
        yield warnings
    finally:
        _collected.reset(token)


def strip_expression(text: str) -> str:
    """The FEEL text of a header: surrounding blanks and one leading ``=`` removed."""
    stripped = text.strip()
    if stripped.startswith("="):
        stripped = stripped[1:]
    return stripped.strip()


def evaluate(
    expression: str, context: dict[str, Any], header: HeaderName = "resultExpression"
) -> Any:
    """Evaluate ``expression`` (header text) in ``context`` and return a JSON-ready value.

    Raises :class:`ExpressionError` naming the expression and the reason when it does not
    compile or fails to evaluate. (FEEL yields null, not an error, for most problems, such
    as a missing variable; those warnings go to the ``collecting_warnings`` list, with spans
    into ``expression`` as written in the header.)
    """
    import app.feel as feel  # imported lazily: jobs without expressions never need the engine

    text = strip_expression(expression)
    try:
        result = feel.compile(expression).evaluate_detailed(context, max_steps=inline_budget())
    except feel.BudgetExceeded:
        raise  # not a failure: app.runtime.feel_runner runs the stage again in its pool
    except feel.FeelError as exc:
        reason = str(exc) or type(exc).__name__
        raise ExpressionError(f"Failed to evaluate expression '{text}'. Reason: {reason}") from None
    collected = _collected.get()
    if collected is not None:
        collected.extend(
            ExpressionWarning(header, w.type, w.message, w.span) for w in result.warnings
        )
    return result.value
