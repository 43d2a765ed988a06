"""feel-scala parity, case by case: each test names the feel-scala test file (camunda/feel-scala,
``src/test/scala/org/camunda/feel/...``) whose expectations it follows."""

from __future__ import annotations

import time
from typing import Any

import pytest

from app.feel import FeelLimitError, FeelSyntaxError, compile, evaluate, limits
from app.feel.lexer import WHITESPACE

# impl/interpreter/InterpreterExpressionTest.scala, "FEEL-specific whitespace characters from
# the DMN specification" (FeelWhitespace.isWhitespace lists the same 28 characters).
FEEL_WHITESPACE = [
    "\u0009", "\u0020", "\u0085", "\u00a0", "\u1680", "\u180e", "\u2000", "\u2001", "\u2002",
    "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u200b",
    "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u000a", "\u000b", "\u000c",
    "\u000d",
]  # fmt: skip


def test_the_whitespace_set_is_feel_scalas() -> None:
    assert sorted(WHITESPACE) == sorted(FEEL_WHITESPACE)


@pytest.mark.parametrize("ws", FEEL_WHITESPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_feel_whitespace_character_separates_tokens(ws: str) -> None:
    assert evaluate(f"{ws}1") == 1
    assert evaluate(f"1{ws}") == 1
    assert evaluate(f"{ws}1+2") == 3
    assert evaluate(f"1{ws}+2") == 3
    assert evaluate(f"1+{ws}2") == 3
    assert evaluate(f'date{ws}and time("2021-01-01T00:00:00")') == "2021-01-01T00:00:00"


@pytest.mark.parametrize("char", ["\u001c", "\u001d", "\u001e", "\u001f"])
def test_python_whitespace_that_feel_does_not_know_is_refused(char: str) -> None:
    with pytest.raises(FeelSyntaxError):
        compile(f"1{char}+2")


# impl/interpreter/InterpreterLiteralExpressionTest.scala, "be defined in ISO format with
# timezone" / "be defined with '@' in ISO format with timezone"; and
# impl/builtin/BuiltinConversionFunctionsTest.scala (date and time(x) of
# "2023-06-14T14:55:00+02:00[Europe/Berlin]").
@pytest.mark.parametrize(
    "expression",
    [
        'date and time("2021-09-08T10:30:00+02:00[Europe/Berlin]")',
        '@"2021-09-08T10:30:00+02:00[Europe/Berlin]"',
        'date and time("2021-09-08T10:30:00[Europe/Berlin]")',
    ],
)
def test_iso_date_times_with_a_bracketed_zone_id(expression: str) -> None:
    value = compile(expression).evaluate_raw({})
    assert value.tzinfo.key == "Europe/Berlin"
    assert (value.hour, value.minute, value.utcoffset().total_seconds()) == (10, 30, 7200)
    assert evaluate(f"string({expression})") == "2021-09-08T10:30:00@Europe/Berlin"
    assert evaluate(f'{expression} = @"2021-09-08T10:30:00@Europe/Berlin"') is True


def test_a_bracketed_zone_with_the_later_offset_picks_the_later_reading() -> None:
    # 2021-10-31 02:30 happens twice in Berlin; ZonedDateTime.parse keeps the given offset.
    earlier = compile('date and time("2021-10-31T02:30:00+02:00[Europe/Berlin]")')
    later = compile('date and time("2021-10-31T02:30:00+01:00[Europe/Berlin]")')
    assert earlier.evaluate_raw({}).utcoffset().total_seconds() == 7200
    assert later.evaluate_raw({}).utcoffset().total_seconds() == 3600


def test_an_unknown_bracketed_zone_is_null() -> None:
    assert evaluate('date and time("2021-09-08T10:30:00+02:00[Mars/Olympus]")') is None


# impl/interpreter/InterpreterExpressionTest.scala, "A variable name should not be a key-word".
@pytest.mark.parametrize(
    "expression",
    [
        "{ null: 1 }.null",
        "{ true: 1}.true",
        "{ false: 1}.false",
        "function",
        "in",
        "return",
        "then",
        "else",
        "satisfies",
    ],
)
def test_reserved_words_are_not_names(expression: str) -> None:
    with pytest.raises(FeelSyntaxError):
        compile(expression)


def test_words_that_are_not_reserved_stay_usable_as_path_segments() -> None:
    assert evaluate("{a: {if: 2}}.a.if") == 2


# impl/builtin/BuiltinNumberFunctionTest.scala, "A decimal() function should use the given
# rounding mode": every java.math.RoundingMode on 5.5, 2.5, 1.6, 1.1, 1.0 and their negatives.
ROUNDING: dict[str, dict[str, Any]] = {
    "5.5": {"UP": 6, "DOWN": 5, "CEILING": 6, "FLOOR": 5, "HALF_UP": 6, "HALF_DOWN": 5,
            "HALF_EVEN": 6, "UNNECESSARY": None},
    "2.5": {"UP": 3, "DOWN": 2, "CEILING": 3, "FLOOR": 2, "HALF_UP": 3, "HALF_DOWN": 2,
            "HALF_EVEN": 2, "UNNECESSARY": None},
    "1.6": {"UP": 2, "DOWN": 1, "CEILING": 2, "FLOOR": 1, "HALF_UP": 2, "HALF_DOWN": 2,
            "HALF_EVEN": 2, "UNNECESSARY": None},
    "1.1": {"UP": 2, "DOWN": 1, "CEILING": 2, "FLOOR": 1, "HALF_UP": 1, "HALF_DOWN": 1,
            "HALF_EVEN": 1, "UNNECESSARY": None},
    "1.0": {"UP": 1, "DOWN": 1, "CEILING": 1, "FLOOR": 1, "HALF_UP": 1, "HALF_DOWN": 1,
            "HALF_EVEN": 1, "UNNECESSARY": 1},
    "-1.0": {"UP": -1, "DOWN": -1, "CEILING": -1, "FLOOR": -1, "HALF_UP": -1, "HALF_DOWN": -1,
             "HALF_EVEN": -1, "UNNECESSARY": -1},
    "-1.1": {"UP": -2, "DOWN": -1, "CEILING": -1, "FLOOR": -2, "HALF_UP": -1, "HALF_DOWN": -1,
             "HALF_EVEN": -1, "UNNECESSARY": None},
    "-1.6": {"UP": -2, "DOWN": -1, "CEILING": -1, "FLOOR": -2, "HALF_UP": -2, "HALF_DOWN": -2,
             "HALF_EVEN": -2, "UNNECESSARY": None},
    "-2.5": {"UP": -3, "DOWN": -2, "CEILING": -2, "FLOOR": -3, "HALF_UP": -3, "HALF_DOWN": -2,
             "HALF_EVEN": -2, "UNNECESSARY": None},
    "-5.5": {"UP": -6, "DOWN": -5, "CEILING": -5, "FLOOR": -6, "HALF_UP": -6, "HALF_DOWN": -5,
             "HALF_EVEN": -6, "UNNECESSARY": None},
}  # fmt: skip


@pytest.mark.parametrize(
    ("number", "mode", "expected"),
    [(n, m, e) for n, modes in ROUNDING.items() for m, e in modes.items()],
)
def test_decimal_with_each_rounding_mode(number: str, mode: str, expected: Any) -> None:
    assert evaluate(f'decimal({number}, 0, "{mode}")') == expected


def test_unnecessary_keeps_a_value_that_already_has_the_scale() -> None:
    assert evaluate('decimal(1.25, 2, "UNNECESSARY")') == 1.25
    assert evaluate('decimal(1.25, 1, "UNNECESSARY")') is None


# impl/interpreter/InterpreterContextExpressionTest.scala and
# impl/interpreter/InterpreterNameTest (back-quoted names may hold any character but '`').
def test_back_quoted_names_with_inner_spaces_and_emoji() -> None:
    assert evaluate("{`a b`: 1}.`a b`") == 1
    assert evaluate("{`\U0001f600`: 2}.`\U0001f600`") == 2
    assert evaluate("`first  name`", {"first  name": "Ada"}) == "Ada"
    assert evaluate("`a+b` + 1", {"a+b": 1}) == 2


# impl/builtin/BuiltinRangeFunctionTest.scala, "return null for string / boolean / list /
# context / null values" and "if the value types are different" (RangeBuiltinFunction
# .isComparable).
@pytest.mark.parametrize(
    "expression",
    [
        'before("a", "b")',
        'before("a", [1..5])',
        'after("b", "a")',
        "before(true, false)",
        "before([1,2], [3,4])",
        "before({}, {x:1})",
        "before(null, 5)",
        "before(1, null)",
        'before(1, date("2021-01-01"))',
        'includes([1..5], "a")',
        'before(date and time("2021-01-01T00:00:00"), date and time("2021-01-02T00:00:00Z"))',
    ],
)
def test_range_functions_give_null_for_values_they_cannot_compare(expression: str) -> None:
    assert evaluate(expression) is None


def test_range_functions_still_compare_points_and_ranges_of_one_kind() -> None:
    assert evaluate("before(1, [2..3])") is True
    assert evaluate('before(duration("P3M"), duration("P6M"))') is True
    assert evaluate('before(duration("PT3H"), [duration("PT1H")..duration("PT6H")])') is False
    assert evaluate('after(date("2021-01-02"), date("2021-01-01"))') is True


# feel-scala evaluates a million-element `for` (it has no list-size limit); Switchboard keeps
# a limit for safety, with a default above it (docs/feel.md "Limits").
def test_a_million_element_for_runs_within_the_default_limits() -> None:
    started = time.perf_counter()
    assert evaluate("count(for x in 0..1000000 return 1)") == 1_000_001
    assert evaluate("sum(for x in 1..1000000 return x)") == 500_000_500_000
    assert time.perf_counter() - started < 10


def test_the_limits_still_stop_what_is_beyond_them() -> None:
    with pytest.raises(FeelLimitError, match="list longer than"):
        compile("count(for x in 1..1500, y in 1..1500 return 1)").evaluate({})


def test_user_defined_recursion_is_bounded_in_time() -> None:
    doubling = "{f: function(n) if n = 0 then 1 else f(n - 1) + f(n - 1), r: f(30)}.r"
    saved = limits.MAX_SECONDS
    limits.configure(max_seconds=0.3)
    try:
        started = time.perf_counter()
        with pytest.raises(FeelLimitError, match=r"longer than 0\.3 seconds"):
            compile(doubling).evaluate({})
        assert time.perf_counter() - started < 3
    finally:
        limits.configure(max_seconds=saved)


def test_user_defined_calls_count_against_the_step_budget() -> None:
    doubling = "{f: function(n) if n = 0 then 1 else f(n - 1) + f(n - 1), r: f(16)}.r"
    saved = limits.MAX_STEPS
    limits.configure(max_steps=10_000)
    try:
        with pytest.raises(FeelLimitError, match="iteration budget of 10000 steps"):
            compile(doubling).evaluate({})
    finally:
        limits.configure(max_steps=saved)
    assert compile(doubling).evaluate({}) == 65536
