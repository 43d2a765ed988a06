"""Evaluate the FEEL of ``resultExpression`` / ``errorExpression`` headers into JSON values."""

from __future__ import annotations

from typing import Any

from app.runtime.errors import ExpressionError
from app.runtime.feel_runner import inline_budget


def strip_expression(text: str) -> str:
    """The FEEL text of a header: surrounding blanks and one leading ``=`` removed."""
    stripped = text.strip()
    if stripped.startswith("="):
        stripped = stripped[1:]
    return stripped.strip()


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate ``expression`` (header text) in ``context`` and return a JSON-ready value.

    Raises :class:`ExpressionError` naming the expression and the reason when it does not
    compile or fails to evaluate. (FEEL yields null, not an error, for most problems, such
    as a missing variable.)
    """
    import app.feel as feel  # imported lazily: jobs without expressions never need the engine

    text = strip_expression(expression)
    try:
        return feel.compile(text).evaluate(context, max_steps=inline_budget())
    except feel.BudgetExceeded:
        raise  # not a failure: app.runtime.feel_runner runs the stage again in its pool
    except feel.FeelError as exc:
        reason = str(exc) or type(exc).__name__
        raise ExpressionError(f"Failed to evaluate expression '{text}'. Reason: {reason}") from None
