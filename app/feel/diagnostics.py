"""Evaluation warnings: what turned part of an expression into null, and where.

The warning types are feel-scala's ``EvaluationFailureType`` names
(``src/main/scala/org/camunda/feel/api/EvaluationFailureType.scala``), so a warning reads the
same as the suppressed failure Camunda's engine reports for the same expression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import DecimalException
from typing import TYPE_CHECKING, Any

from app.feel.errors import FeelError

if TYPE_CHECKING:
    from app.feel.values import EvalState

UNKNOWN = "UNKNOWN"
NO_VARIABLE_FOUND = "NO_VARIABLE_FOUND"
NO_CONTEXT_ENTRY_FOUND = "NO_CONTEXT_ENTRY_FOUND"
NO_PROPERTY_FOUND = "NO_PROPERTY_FOUND"
NOT_COMPARABLE = "NOT_COMPARABLE"
INVALID_TYPE = "INVALID_TYPE"
NO_FUNCTION_FOUND = "NO_FUNCTION_FOUND"
FUNCTION_INVOCATION_FAILURE = "FUNCTION_INVOCATION_FAILURE"

WARNING_TYPES = (
    UNKNOWN,
    NO_VARIABLE_FOUND,
    NO_CONTEXT_ENTRY_FOUND,
    NO_PROPERTY_FOUND,
    NOT_COMPARABLE,
    INVALID_TYPE,
    NO_FUNCTION_FOUND,
    FUNCTION_INVOCATION_FAILURE,
)

Span = tuple[int, int]


class Problem(Exception):
    """An evaluation problem: the operation yields null and the message becomes a warning.

    ``type`` overrides the warning type of the site that catches it (e.g. NOT_COMPARABLE);
    ``prefixed=False`` keeps the site's prefix off a message that speaks for itself.
    """

    def __init__(self, message: str, type: str | None = None, prefixed: bool = True) -> None:
        super().__init__(message)
        self.type = type
        self.prefixed = prefixed


@dataclass(frozen=True, slots=True)
class FeelWarning:
    """One evaluation warning.

    ``type`` is one of :data:`WARNING_TYPES`; ``span`` is the ``(start, end)`` character range
    of the part of the expression that produced it, as offsets into the text given to
    ``compile`` (a leading ``=`` included). ``message`` may quote values from the expression
    or its input; ``type`` and ``span`` never do.
    """

    type: str
    message: str
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message, "span": list(self.span)}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Site:
    """Where a guarded operation sits: the warning type and span it reports, and the text
    put before the problem's message (e.g. ``Failed to invoke function 'x': ``)."""

    type: str
    span: Span
    prefix: str = ""


def attempt(state: EvalState, site: Site, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; an evaluation problem becomes null plus a warning at ``site``.

    Engine errors (``FeelError``: failed asserts, resource limits) and recursion or memory
    exhaustion are not problems and propagate.
    """
    try:
        return fn(*args)
    except Problem as exc:
        message = site.prefix + str(exc) if exc.prefixed else str(exc)
        state.warn(exc.type or site.type, message, site.span)
    except (FeelError, RecursionError, MemoryError):
        raise
    except DecimalException:
        state.warn(site.type, site.prefix + "arithmetic error", site.span)
    except Exception as exc:  # a bug or unexpected input in an operation must not escape
        state.warn(site.type, f"{site.prefix}internal error ({type(exc).__name__})", site.span)
    return None
