"""Resource limits and robustness: untrusted expressions must not hang or crash the process."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.feel import FeelError, FeelLimitError, FeelSyntaxError, compile, limits
from tests.feel.corpus import CONTEXT, cases

# Generous: the machine is shared; a healthy call takes well under 10 ms, a limited one < 1 s.
TIME_BOUND_SECONDS = 10.0


def run_bounded(expr: str, context: dict[str, Any] | None = None) -> None:
    """Compile and evaluate; only FeelError may escape, and the call must return in time."""
    start = time.perf_counter()
    try:
        result = compile(expr).evaluate_detailed(context or CONTEXT)
        # A Python exception inside a built-in is reported as an internal error: an engine bug.
        assert not [w for w in result.warnings if "internal error" in w.message], result
    except FeelError as exc:
        assert "internal error" not in str(exc), f"{expr!r}: {exc}"
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND_SECONDS, f"{expr!r} took {elapsed:.2f}s"


@pytest.mark.parametrize(
    "expr",
    [
        "for i in 1..1e12 return i",
        "for i in 1..99999, j in 1..99999 return 1",
        "count(for i in 1..99999 return for j in 1..99999 return 1)",
        "some i in for x in 1..99999 return x satisfies "
        "some j in for y in 1..99999 return y satisfies false",
        "{f: function(n) f(n + 1), r: f(1)}.r",
        'string join(for i in 1..99999 return "' + "a" * 100 + '")',
        '{s: "' + "a" * 2000 + '", r: for i in 1..99999 return s + string(i)}',
        "distinct values(for i in 1..3000 return [i])",
        'matches("' + "x" * 5000 + '", "(.*){1,32000}[bc]")',
    ],
)
def test_resource_limits_stop_runaway_evaluation(expr: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FeelLimitError):
        compile(expr).evaluate()
    assert time.perf_counter() - start < TIME_BOUND_SECONDS


@pytest.mark.parametrize(
    "expr",
    [
        "(" * 200 + "1" + ")" * 200,
        "-" * 5000 + "1",
        "{a:" * 100 + "1" + "}" * 100,
        "1" + " + 1" * (limits.MAX_CHAIN + 1),
        "x" + ".a" * (limits.MAX_CHAIN + 1),
        "a" * (limits.MAX_EXPRESSION_LENGTH + 1),
    ],
)
def test_parser_limits(expr: str) -> None:
    with pytest.raises(FeelSyntaxError):
        compile(expr)


def test_long_but_reasonable_expressions_still_work() -> None:
    assert compile("1" + " + 1" * (limits.MAX_CHAIN - 1)).evaluate() == limits.MAX_CHAIN
    assert compile("(" * 30 + "1" + ")" * 30).evaluate() == 1
    assert compile("{a:" * 30 + "1" + "}" * 30).evaluate() is not None


def test_huge_numbers_give_null_not_exceptions() -> None:
    assert compile("2 ** 999999999").evaluate() is None
    assert compile("decimal(1, 5000)").evaluate() is None
    assert compile("9" * 5000 + " * " + "9" * 5000).evaluate() is None  # beyond DECIMAL128
    assert compile("9" * 40 + " + 1").evaluate() == 10**40


def test_deeply_nested_input_is_limited() -> None:
    deep: Any = 1
    for _ in range(limits.MAX_INPUT_DEPTH + 10):
        deep = (deep,)
    with pytest.raises(FeelLimitError):
        compile("x").evaluate({"x": deep})


TOKENS = [
    "1",
    "0",
    "-1",
    "2.5",
    '"s"',
    '""',
    "true",
    "false",
    "null",
    "x",
    "xs",
    "order",
    "item",
    "?",
    "partial",
    "+",
    "-",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "between",
    "instance",
    "of",
    "function",
    "@",
    '"2020-01-01"',
    '@"P1D"',
    "a",
    "b",
    "sum",
    "count",
    "string length",
    "date",
    "substring",
    "matches",
    "replace",
    "sort",
    "bpmnError",
    "jobError",
    "backoff",
    "get or else",
    "number",
    "string",
    "list contains",
    "sublist",
    "index of",
    "day of week",
    "1..5",
    "`x`",
    "/*",
    "*/",
]


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map(" ".join))
def test_random_token_soup_raises_only_feel_errors(expr: str) -> None:
    run_bounded(expr)


SEEDS = [c["expr"] for c in cases() if "kind" not in c]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 8)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from([*TOKENS, "\\", "'", "\x00", "é"])) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + text[j:] + text[i:j]
    return text


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(mutated())
def test_mutated_expressions_raise_only_feel_errors(expr: str) -> None:
    run_bounded(expr)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(json_values, st.sampled_from(SEEDS))
def test_arbitrary_json_input_raises_only_feel_errors(value: Any, expr: str) -> None:
    run_bounded(expr, {**CONTEXT, "x": value, "xs": value, "order": value})


ATOMS = [
    "1",
    "0",
    "-2",
    "2.5",
    "0.1",
    '"a"',
    '""',
    '"2020-01-01"',
    "true",
    "false",
    "null",
    "x",
    "xs",
    "order",
    "order.items",
    "words",
    "nested",
    "s",
    "flag",
    "nothing",
    '@"2020-01-01"',
    '@"10:00:00"',
    '@"2020-01-01T10:00:00Z"',
    '@"P1D"',
    '@"P1Y2M"',
    "[1..3]",
    "(1..5]",
    "[]",
    "{}",
    "{a: 1, b: [1, 2]}",
    "[1, 2, 3]",
    '["a", "b"]',
    "[{a: 1}, {a: 2}]",
    "item",
    "partial",
]
BUILTIN_NAMES = sorted(
    n for n in __import__("app.feel.builtins", fromlist=["BUILTINS"]).BUILTINS if n != "assert"
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        inner,
        st.sampled_from(["+", "-", "*", "/", "**", "=", "!=", "<", ">=", "and", "or"]),
        inner,
    ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    call = st.tuples(st.sampled_from(BUILTIN_NAMES), st.lists(inner, max_size=4)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"
    )
    return st.one_of(
        binary,
        call,
        st.tuples(inner, inner, inner).map(lambda t: f"if {t[0]} then {t[1]} else {t[2]}"),
        st.tuples(inner, inner).map(lambda t: f"for i in {t[0]} return {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"some i in {t[0]} satisfies {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, st.sampled_from(["a", "year", "start", "days", "item"])).map(
            lambda t: f"{t[0]}.{t[1]}"
        ),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} in ({t[1]}, < 3)"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} between {t[1]} and {t[2]}"),
        st.tuples(inner, inner).map(lambda t: f"{{k: {t[0]}, l: k}}.{'k' if t[1] else 'l'}"),
        st.tuples(inner, inner).map(lambda t: f"(function(a, b) {t[0]})({t[1]}, 1)"),
        inner.map(lambda e: f"{e} instance of number"),
        inner.map(lambda e: f"[{e}..{e}]"),
    )


valid_expressions = st.recursive(st.sampled_from(ATOMS), _combine, max_leaves=12)


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(valid_expressions)
def test_generated_expressions_raise_only_feel_errors(expr: str) -> None:
    run_bounded(expr)
