"""Built-in functions: the DMN set, feel-scala's and Camunda's extensions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from app.feel import evaluate
from app.feel.builtins import BUILTINS


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # conversion
        ('date("2020-02-29")', "2020-02-29"),
        ("date(2020, 2, 29)", "2020-02-29"),
        ("date(2021, 2, 29)", None),
        ('date(date and time("2020-05-06T07:08:09"))', "2020-05-06"),
        ('time("10:20:30.5")', "10:20:30.5"),
        ("time(10, 20, 30)", "10:20:30"),
        ('time(10, 20, 30, duration("PT1H"))', "10:20:30+01:00"),
        ('date and time("2020-01-01T10:00:00+02:00")', "2020-01-01T10:00:00+02:00"),
        ('date and time(date("2020-01-01"), time("10:00:00Z"))', "2020-01-01T10:00:00Z"),
        (
            'date and time(date and time("2020-01-01T10:00:00Z"), "Europe/Berlin")',
            "2020-01-01T11:00:00+01:00",
        ),
        ('duration("P2DT3H")', "P2DT3H"),
        ('duration("PT36H")', "P1DT12H"),
        ('duration("P14M")', "P1Y2M"),
        ('duration("xyz")', None),
        ('years and months duration(date("2020-01-15"), date("2021-03-14"))', "P1Y1M"),
        ('number("1,000.25", ",", ".")', 1000.25),
        ('number("12")', 12),
        ('number("x")', None),
        ("string(12.50)", "12.5"),
        ("string(true)", "true"),
        ('string(@"P1D")', "P1D"),
        ('string([1, "a"])', '[1, "a"]'),
        ('context([{key: "a", value: 1}, {key: "b", value: 2}])', {"a": 1, "b": 2}),
        ('string({a: "b", c: [1, null]})', '{a:"b", c:[1, null]}'),
        ("string(function(a, b) a)", "function(a, b)"),
        ('from json("{\\"a\\": [1, 2.5, null, true]}")', {"a": [1, 2.5, None, True]}),
        ('from json("[1,")', None),
        ('to json({a: [1, 2.5, null, date("2020-01-01")]})', '{"a":[1,2.5,null,"2020-01-01"]}'),
        ('to json("x")', '"x"'),
        # boolean
        ("not(false)", True),
        ("not(1)", None),
        ("is defined(1)", True),
        ("is defined(null)", False),
        ("is defined(missing)", False),
        ('get or else(null, "x")', "x"),
        ('get or else("y", "x")', "y"),
        ("assert(1, true)", 1),
        # string
        ('substring("foobar", 3)', "obar"),
        ('substring("foobar", -2, 1)', "a"),
        ('substring("foobar", 0)', ""),
        ('substring("foobar", 5, 10)', "ar"),
        ('substring("abc", -4)', None),
        ('string length("äbc")', 3),
        ('upper case("aBc")', "ABC"),
        ('lower case("aBc")', "abc"),
        ('substring before("foobar", "bar")', "foo"),
        ('substring after("foobar", "ob")', "ar"),
        ('contains("foobar", "of")', False),
        ('starts with("foobar", "fo")', True),
        ('ends with("foobar", "r")', True),
        ('matches("foobar", "^fo*b")', True),
        ('matches("FOO", "foo", "i")', True),
        ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
        ('replace("a.b", "\\.", "-")', "a-b"),
        ('replace("a.b", ".", "-", "q")', "---"),  # like feel-scala: "q" is ignored
        ('split("John Doe", "\\s")', ["John", "Doe"]),
        ('split("a;b;c", ";")', ["a", "b", "c"]),
        ('extract("references are 1234, 1256, 1378", "12[0-9]*")', ["1234", "1256"]),
        ('trim("  a b  ")', "a b"),
        ('to base64("FEEL")', "RkVFTA=="),
        ('from base64("RkVFTA==")', "FEEL"),
        ('is blank("  ")', True),
        ('is blank("a")', False),
        ('string join(["a", "b", "c"], ", ")', "a, b, c"),
        ('string join(["a", null, "c"])', "ac"),
        ('string join(["a", "b"], ", ", "[", "]")', "[a, b]"),
        ('matches("a", "(")', None),
        # list
        ("list contains([1, 2, 3], 2)", True),
        ("count([1, 2, 3])", 3),
        ("min([1, 2, 3])", 1),
        ("max(1, 2, 3)", 3),
        ("sum([1, 2, 3.5])", 6.5),
        ("sum([])", None),
        ("mean([1, 2, 3])", 2),
        ("median([8, 2, 5, 3, 4])", 4),
        ("median([6, 1, 2, 3])", 2.5),
        ("stddev([2, 4, 7, 5])", 2.0816659994661327),
        ("mode([6, 3, 9, 6, 6])", [6]),
        ("mode([6, 1, 9, 6, 1])", [1, 6]),
        ("product([2, 3, 4])", 24),
        ("all([true, false])", False),
        ("all([])", True),
        ("any([false, null])", None),
        ("and([true, true])", True),
        ("or([false, true])", True),
        ("sublist([4, 5, 6], 1, 2)", [4, 5]),
        ("sublist(list: [4, 5, 6], start: 2)", [5, 6]),
        ("append([1], 2, 3)", [1, 2, 3]),
        ("concatenate([1, 2], [3])", [1, 2, 3]),
        ("insert before([1, 3], 1, 2)", [2, 1, 3]),
        ("remove([1, 2, 3], 2)", [1, 3]),
        ("reverse([1, 2, 3])", [3, 2, 1]),
        ("index of([1, 2, 3, 2], 2)", [2, 4]),
        ("union([1, 2], [2, 3])", [1, 2, 3]),
        ("distinct values([1, 2, 3, 2, 1])", [1, 2, 3]),
        ("duplicate values([1, 2, 3, 2, 1])", [1, 2]),
        ("duplicate values([[1], [2], [1]])", [[1]]),
        ("union(lists: [[1, 2], [2, 3]])", [1, 2, 3]),
        ('is blank("\\t\\n\\r\\f")', True),
        ('string(@"PT0S")', "P0D"),
        ('string(@"P0M")', "P0Y"),
        ("get value({a: 1}, [])", None),
        ("flatten([[1, 2], [[3]], 4])", [1, 2, 3, 4]),
        ("sort([3, 1, 4, 2], function(x, y) x < y)", [1, 2, 3, 4]),
        ('sort(["b", "a"], function(x, y) x < y)', ["a", "b"]),
        ("is empty([])", True),
        ("partition([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]),
        # numeric
        ("decimal(1/3, 2)", 0.33),
        ("decimal(1.5, 0)", 2),
        ("decimal(2.5, 0)", 2),
        ('decimal(2.5, 0, "half_up")', 3),
        ('decimal(-2.55, 1, "FLOOR")', -2.6),
        ('decimal(1, 0, "sideways")', None),
        ("abs(number: -3)", 3),
        ("floor(1.5)", 1),
        ("floor(-1.56, 1)", -1.6),
        ("ceiling(1.5)", 2),
        ("ceiling(-1.56, 1)", -1.5),
        ("round up(5.5, 0)", 6),
        ("round up(-5.5, 0)", -6),
        ("round down(5.5, 0)", 5),
        ("round half up(5.5, 0)", 6),
        ("round half down(5.5, 0)", 5),
        ("abs(-10)", 10),
        ('abs(@"-PT5S")', "PT5S"),
        ("modulo(12, 5)", 2),
        ("modulo(-12, 5)", 3),
        ("modulo(12, -5)", -3),
        ("modulo(10.1, 4.5)", 1.1),
        ("sqrt(16)", 4),
        ("log(10)", 2.302585092994045684017991454684364),
        ("exp(5)", 148.4131591025766034211155800405523),
        ("odd(5)", True),
        ("even(2)", True),
        # context
        ('get value({a: 1}, "a")', 1),
        ('get value(m: {a: 1}, key: "a")', 1),
        ('get value(context: {a: {b: 1}}, keys: ["a", "b"])', 1),
        ('put({a: 1}, "b", 2)', {"a": 1, "b": 2}),
        ("put all([{a: 1}, {b: 2}])", {"a": 1, "b": 2}),
        ("get entries(m: {x: 1})", [{"key": "x", "value": 1}]),
        ('get value({a: {b: 2}}, ["a", "b"])', 2),
        ("get entries({a: 1})", [{"key": "a", "value": 1}]),
        ('context put({a: 1}, "b", 2)', {"a": 1, "b": 2}),
        ('context put({a: {b: 1}}, ["a", "c"], 2)', {"a": {"b": 1, "c": 2}}),
        ("context merge([{a: 1}, {a: 2, b: 3}])", {"a": 2, "b": 3}),
        # temporal
        ('day of year(date("2019-09-17"))', 260),
        ('day of week(date("2019-09-17"))', "Tuesday"),
        ('month of year(date("2019-09-17"))', "September"),
        ('week of year(date("2019-09-17"))', 38),
        ('last day of month(date("2024-02-10"))', "2024-02-29"),
        ('is(date("2012-12-25"), time("23:00:50"))', False),
        ('is(date("2012-12-25"), date("2012-12-25"))', True),
    ],
)
def test_builtin(expr: str, expected: Any) -> None:
    assert evaluate(expr) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # DMN 1.5 specification examples for the range functions
        ("before(1, 10)", True),
        ("before(10, 1)", False),
        ("before(1, [2..5])", True),
        ("before([1..5], 10)", True),
        ("before([1..5], [6..10])", True),
        ("before([1..5), [5..10])", True),
        ("after(10, 5)", True),
        ("after([11..20], 12)", False),
        ("after([11..20], [1..10])", True),
        ("after((1..5], [1..5))", False),
        ("meets([1..5], [5..10])", True),
        ("meets([1..3], [4..6])", False),
        ("meets([1..5], (5..8])", False),
        ("met by([5..10], [1..5])", True),
        ("overlaps([5..10], [1..6])", True),
        ("overlaps((5..8], [1..5))", False),
        ("overlaps([4..10], [1..5))", True),
        ("overlaps before([1..5], [3..8])", True),
        ("overlaps before([1..5], [6..8])", False),
        ("overlaps before([1..5], [5..8])", True),
        ("overlaps before([1..5], (5..8])", False),
        ("overlaps after([3..8], [1..5])", True),
        ("overlaps after([6..8], [1..5])", False),
        ("finishes(10, [1..10])", True),
        ("finishes(10, [1..10))", False),
        ("finishes([5..10], [1..10])", True),
        ("finishes([3..4], [1..10])", False),
        ("finished by([1..10], 10)", True),
        ("finished by([1..10], [5..10])", True),
        ("includes([1..10], 5)", True),
        ("includes([1..10], 12)", False),
        ("includes([5..10], [6..8])", True),
        ("includes([1..10], [1..10])", True),
        ("during(5, [1..10])", True),
        ("during([4..6], [1..10])", True),
        ("during((1..5], (1..10])", True),
        ("starts(1, [1..10])", True),
        ("starts(1, (1..10])", False),
        ("starts([1..5], [1..10])", True),
        ("starts((1..5], (1..10])", True),
        ("started by([1..10], 1)", True),
        ("started by([1..10], [1..5])", True),
        ("coincides(5, 5)", True),
        ("coincides([1..5], [1..5])", True),
        ("coincides((1..5), [1..5])", False),
    ],
)
def test_range_function(expr: str, expected: Any) -> None:
    assert evaluate(expr) == expected


def test_now_and_today_are_current() -> None:
    today = evaluate("today()")
    assert today in {
        dt.datetime.now(dt.UTC).date().isoformat(),
        (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).date().isoformat(),
    }
    assert evaluate("now() instance of date and time") is True


def test_uuid_and_random() -> None:
    assert re.fullmatch(r"[0-9a-f-]{36}", evaluate("uuid()"))
    assert evaluate("uuid()") != evaluate("uuid()")
    assert 0 <= evaluate("random number()") < 1


def test_failed_assert_is_an_evaluation_error() -> None:
    from app.feel import FeelEvaluationError

    with pytest.raises(FeelEvaluationError, match="too small"):
        evaluate('assert(x, x > 10, "too small")', {"x": 1})


def test_builtin_names_with_spaces_are_registered() -> None:
    for name in (
        "date and time",
        "years and months duration",
        "string length",
        "get or else",
        "index of",
        "day of week",
        "last day of month",
        "overlaps before",
        "context put",
        "string join",
        "round half up",
    ):
        assert name in BUILTINS
