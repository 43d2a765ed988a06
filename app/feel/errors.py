"""Exceptions raised by the FEEL engine. Only these ever escape the public API."""

from __future__ import annotations


class FeelError(Exception):
    """Base class of every error the FEEL engine raises."""


class FeelSyntaxError(FeelError):
    """The expression is not valid FEEL.

    ``position`` is the 0-based character offset of the problem in the (stripped) expression.
    """

    def __init__(self, message: str, position: int, expression: str = "") -> None:
        self.reason = message
        self.position = position
        self.expression = expression
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.reason} at position {self.position}"
        if not self.expression:
            return text
        start = max(0, self.position - 30)
        snippet = self.expression[start : self.position + 30].replace("\n", " ")
        pointer = " " * (self.position - start) + "^"
        return f"{text}\n  {snippet}\n  {pointer}"


class FeelEvaluationError(FeelError):
    """Evaluation failed in a way feel-scala reports as a failure (e.g. a failed ``assert``)."""


class FeelLimitError(FeelEvaluationError):
    """A resource limit (depth, iterations, string or list size, regex time) was exceeded."""


class BudgetExceeded(FeelError):
    """The evaluation stopped at the step budget its caller gave (``max_steps``): it did not
    fail, it is too long to finish here. The caller may evaluate it again elsewhere without
    that budget (the runtime re-runs it in its FEEL thread pool, off the event loop)."""
