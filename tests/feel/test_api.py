"""Public API: compile cache, thread safety, conversions, errors, unary tests."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from app.feel import (
    EvaluationResult,
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    compile,
    evaluate,
    to_feel,
    to_json,
    unary_test,
)


def test_compile_is_cached_and_reusable() -> None:
    a = compile("= x + 1")
    assert compile("= x + 1") is a
    assert [a.evaluate({"x": i}) for i in range(3)] == [1, 2, 3]


def test_leading_equals_and_whitespace_are_stripped() -> None:
    assert evaluate("=1+1") == 2
    assert evaluate("  =  \n 1 + 1 \n") == 2


def test_evaluate_without_context() -> None:
    assert evaluate("1 + 1") == 2
    assert compile("x").evaluate() is None


def test_evaluate_detailed_collects_warnings() -> None:
    result = compile("a.b + 1").evaluate_detailed({"a": {}})
    assert isinstance(result, EvaluationResult)
    assert result.value is None
    assert [w.message for w in result.warnings] == [
        "No context entry found with key 'b'",
        "can't add number to null",
    ]
    assert compile("1").evaluate_detailed().warnings == []


def test_concurrent_evaluations_do_not_interfere() -> None:
    expr = compile("for i in 1..200 return i * n")
    start = threading.Barrier(8)

    def work(n: int) -> bool:
        start.wait(timeout=10)
        return all(expr.evaluate({"n": n}) == [i * n for i in range(1, 201)] for _ in range(50))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(8)))


def test_syntax_error_has_position_and_readable_message() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile("= {a: 1,, b: 2}")
    err = info.value
    assert err.position == 8  # in the caller's text, "=" included
    assert "at position 8" in str(err)
    assert "{a: 1,, b: 2}" in str(err)
    assert str(err).splitlines()[-1].strip() == "^"


@pytest.mark.parametrize(
    "expr", ["", "=", "1 +", "(1", '"open', "if x then 1", "x in", "{a 1}", "1 2", "@1", "§"]
)
def test_syntax_errors(expr: str) -> None:
    with pytest.raises(FeelSyntaxError):
        compile(expr)


def test_invalid_temporal_literal_is_null_with_a_warning() -> None:
    result = compile('@"2023-02-29"').evaluate_detailed()
    assert result.value is None
    assert [w.message for w in result.warnings] == ["invalid date '2023-02-29'"]


def test_non_string_expression_is_rejected() -> None:
    with pytest.raises(FeelSyntaxError):
        compile(42)  # type: ignore[arg-type]


def test_context_must_be_a_mapping() -> None:
    with pytest.raises(FeelEvaluationError, match="mapping"):
        evaluate("1", [1, 2])  # type: ignore[arg-type]
    assert evaluate("a", OrderedDict(a=1)) == 1


def test_all_errors_are_feel_errors() -> None:
    assert issubclass(FeelSyntaxError, FeelError)
    assert issubclass(FeelEvaluationError, FeelError)


def test_to_feel_converts_json_like_values() -> None:
    assert to_feel({"a": (1, 2), 3: {1.5}}) == {"a": [1, 2], "3": [1.5]}
    assert to_feel(float("nan")) is None
    original = {"a": [1, "x", {"b": None}]}
    assert to_feel(original) is original  # nothing to change: no copy


def test_non_json_input_values_are_converted_where_reached() -> None:
    assert evaluate("xs[2]", {"xs": (1, 2)}) == 2
    assert evaluate("a.b[1]", {"a": {"b": (7,)}}) == 7
    assert evaluate("x", {"x": object()}) is None


def test_to_json_produces_json_ready_values() -> None:
    assert to_json(Decimal("2.50")) == 2.5
    assert to_json(Decimal("3.0")) == 3 and type(to_json(Decimal("3.0"))) is int
    assert to_json(dt.date(2020, 1, 2)) == "2020-01-02"
    assert to_json(dt.timedelta(days=1, seconds=5)) == "P1DT5S"
    assert to_json({"a": [dt.time(10, 0)]}) == {"a": ["10:00:00"]}
    assert to_json(float("inf")) is None
    assert evaluate('@"P1Y2M"') == "P1Y2M"


def test_evaluate_raw_returns_feel_values() -> None:
    assert compile("0.1 + 0.2").evaluate_raw() == Decimal("0.3")
    assert compile('date("2020-01-01")').evaluate_raw() == dt.date(2020, 1, 1)


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("[1..10]", 10, True),
        ("(1..10)", 10, False),
        ('"a", "b"', "b", True),
        ('"a", "b"', "c", False),
        ("-", None, True),
        ("not(1, 2)", 3, True),
        ("not(1, 2)", 2, False),
        ("? > x", 6, True),
        ("? > x", 4, False),
        ("[1, 2, 3]", 2, True),
        ("true", True, True),
        ("true", False, False),  # a literal is an equality test
        ("1 < 2", True, True),  # an expression that is true passes
        ("x", 3, False),
        ("[4, 5, 6]", 5, True),
        ("odd(?)", 5, True),
        ("abs(?)", 5, False),  # not a boolean: null, counted as false
        ("not_existing", None, True),  # null equals the null input
        ("false", True, False),
        ("false", False, True),
        ("null", None, True),
        ("> 5", None, False),
        ('"a"', 1, False),
        ('< date("2020-01-01")', "2019-01-01", False),
    ],
)
def test_unary_test(tests: str, value: object, expected: bool) -> None:
    assert unary_test(tests, value, {"x": 5}) is expected


def test_unary_tests_syntax_error() -> None:
    with pytest.raises(FeelSyntaxError):
        unary_test("< ", 1)
