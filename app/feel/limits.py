"""Resource limits that keep untrusted expressions from exhausting the process."""

from __future__ import annotations

MAX_EXPRESSION_LENGTH = 100_000  # characters of source text
MAX_NESTING = 80  # parser nesting depth (brackets, unary minus, control structures)
MAX_CHAIN = 250  # operators in one chain (a + b + c ..., a.b.c ..., x[1][2] ...)
MAX_CALL_DEPTH = 48  # nested user-defined function calls
MAX_STEPS = 500_000  # iterations (for/some/every/filters/list built-ins) per evaluation
MAX_LIST_LENGTH = 100_000  # elements of any list built during evaluation
MAX_STRING_LENGTH = 1_000_000  # characters of any string built during evaluation
MAX_WARNINGS = 100  # warnings kept per evaluation
REGEX_TIMEOUT_SECONDS = 0.25  # per regex operation
MAX_INPUT_DEPTH = 200  # nesting of the input context converted to FEEL values
