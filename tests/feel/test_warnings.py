"""Warnings carry a type, a message and a span.

The types and the cases follow feel-scala's suppressed failures:
camunda/feel-scala src/test/scala/org/camunda/feel/impl/SuppressedFailuresTest.scala
(types from src/main/scala/org/camunda/feel/api/EvaluationFailureType.scala).
"""

from __future__ import annotations

import pytest

from app.feel import WARNING_TYPES, FeelWarning, compile


def _warnings(expr: str, context: dict[str, object] | None = None) -> list[tuple[str, str]]:
    """(type, spanned text) of each warning."""
    result = compile(expr).evaluate_detailed(context)
    return [(w.type, expr[w.span[0] : w.span[1]]) for w in result.warnings]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("x + 1", [("NO_VARIABLE_FOUND", "x"), ("INVALID_TYPE", "x + 1")]),
        ("{x: 1}.y", [("NO_CONTEXT_ENTRY_FOUND", "{x: 1}.y")]),
        ('@"P1Y".days', [("NO_PROPERTY_FOUND", '@"P1Y".days')]),
        ("true < 2", [("NOT_COMPARABLE", "true < 2")]),
        ("2 + true", [("INVALID_TYPE", "2 + true")]),
        ("{a: foo(response)}", [("NO_FUNCTION_FOUND", "foo(response)")]),
        ('substring("a", "b")', [("FUNCTION_INVOCATION_FAILURE", 'substring("a", "b")')]),
        ("bpmnError()", [("NO_FUNCTION_FOUND", "bpmnError()")]),
        ("5 in [2..x]", [("NO_VARIABLE_FOUND", "x")]),
        ("for i in 1..x return i", [("NO_VARIABLE_FOUND", "x"), ("INVALID_TYPE", "1..x")]),
        ("(a).b", [("NO_VARIABLE_FOUND", "a"), ("NO_CONTEXT_ENTRY_FOUND", "(a).b")]),
        (
            "(1 + x) * 2",
            [
                ("NO_VARIABLE_FOUND", "x"),
                ("INVALID_TYPE", "1 + x"),
                ("INVALID_TYPE", "(1 + x) * 2"),
            ],
        ),
        ('1 = "1"', [("NOT_COMPARABLE", '1 = "1"')]),
    ],
)
def test_warning_type_and_span(expr: str, expected: list[tuple[str, str]]) -> None:
    assert _warnings(expr, {"response": 1}) == expected


def test_spans_are_offsets_into_the_text_given_with_its_leading_equals() -> None:
    expr = "  = {a: foo(response)}"
    result = compile(expr).evaluate_detailed({"response": 1})
    assert result.value == {"a": None}
    (warning,) = result.warnings
    assert warning == FeelWarning("NO_FUNCTION_FOUND", "No function found with name 'foo'", (8, 21))
    assert expr[8:21] == "foo(response)"
    assert warning.to_dict() == {
        "type": "NO_FUNCTION_FOUND",
        "message": "No function found with name 'foo'",
        "span": [8, 21],
    }


def test_every_warning_type_is_a_feel_scala_failure_type() -> None:
    assert set(WARNING_TYPES) == {
        "UNKNOWN",
        "NO_VARIABLE_FOUND",
        "NO_CONTEXT_ENTRY_FOUND",
        "NO_PROPERTY_FOUND",
        "NOT_COMPARABLE",
        "INVALID_TYPE",
        "NO_FUNCTION_FOUND",
        "FUNCTION_INVOCATION_FAILURE",
    }
