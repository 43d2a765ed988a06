"""Resource limits that keep untrusted expressions from exhausting the process.

The module values are the defaults; :func:`configure` changes the three a deployment may
need to tune (steps, list length, wall-clock time) for the whole process, as the runtime does
from ``SWITCHBOARD_FEEL_*`` settings at start-up.
"""

from __future__ import annotations

MAX_EXPRESSION_LENGTH = 100_000  # characters of source text
MAX_NESTING = 80  # parser nesting depth (brackets, unary minus, control structures)
MAX_CHAIN = 250  # operators in one chain (a + b + c ..., a.b.c ..., x[1][2] ...)
MAX_CALL_DEPTH = 48  # nested user-defined function calls
# Iterations (for/some/every/filters/list built-ins, user-defined function calls) per
# evaluation: enough for `count(for x in 0..1000000 return 1)`, which feel-scala evaluates.
MAX_STEPS = 3_000_000
MAX_LIST_LENGTH = 2_000_000  # elements of any list or range built during evaluation
MAX_STRING_LENGTH = 1_000_000  # characters of any string built during evaluation
MAX_SECONDS = 2.0  # wall-clock time of one evaluation
MAX_WARNINGS = 100  # warnings kept per evaluation
REGEX_TIMEOUT_SECONDS = 0.25  # per regex operation
MAX_INPUT_DEPTH = 200  # nesting of the input context converted to FEEL values


def configure(
    *,
    max_steps: int | None = None,
    max_list_length: int | None = None,
    max_seconds: float | None = None,
) -> None:
    """Set the process-wide limits that are given; the others keep their values."""
    global MAX_STEPS, MAX_LIST_LENGTH, MAX_SECONDS
    if max_steps is not None:
        MAX_STEPS = max_steps
    if max_list_length is not None:
        MAX_LIST_LENGTH = max_list_length
    if max_seconds is not None:
        MAX_SECONDS = max_seconds
