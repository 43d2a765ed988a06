"""Language semantics (feel-scala flavour), checked on JSON-ready results."""

from __future__ import annotations

from typing import Any

import pytest

from app.feel import compile, evaluate

CTX: dict[str, Any] = {
    "x": 5,
    "price": 0.1,
    "s": "abc",
    "xs": [3, 1, 2],
    "items": [{"id": "a", "qty": 2}, {"id": "b", "qty": 7}],
    "order total": 250,
    "first name": "Grace",
    "content-type": "json",
    "nothing": None,
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # literals and decimals
        ("1", 1),
        ("-2.5", -2.5),
        (".5", 0.5),
        ("0.1 + 0.2", 0.3),
        ("0.1 + 0.2 = 0.3", True),
        ("price + 0.2 = 0.3", True),
        ("1 / 3 * 3", 1),
        ("10 / 4", 2.5),
        ("7 / 7", 1),
        ("2 ** 10", 1024),
        ("2 ** -1", 0.5),
        ("1 / 0", None),
        ("123456789012345678901234567890 + 1", 123456789012345678901234567891),
        ('"a\\"b\\\\c\\n\\u00e4"', 'a"b\\c\n\u00e4'),
        ('"a" + "b"', "ab"),
        ("null", None),
        ("true", True),
        # null propagation
        ("1 + null", None),
        ("null - 1", None),
        ("-nothing", None),
        ('1 + "a"', None),
        # comparisons
        ("1 = 1.0", True),
        ('1 = "1"', None),
        ("null = null", True),
        ("x = null", False),
        ("nothing != null", False),
        ('"a" < "b"', True),
        ('1 < "b"', None),
        ("[1, 2] = [1, 2]", True),
        ("[1, 2] = [1, 2, 3]", False),
        ("{a: 1} = {a: 1}", True),
        ("x between 1 and 5", True),
        ("x between 6 and 9", False),
        # three-valued logic
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("false or null", None),
        ("true and 1", None),
        # names with spaces, backticks
        ("order total * 2", 500),
        ('first name + "!"', "Grace!"),
        ("`content-type`", "json"),
        ("{a b: 1, c: a b + 1}.c", 2),
        # contexts and paths
        ("{a: 1, b: a + 1, c: {d: b * 2}}", {"a": 1, "b": 2, "c": {"d": 4}}),
        ('{"key with space": 1}', {"key with space": 1}),
        ("items.id", ["a", "b"]),
        ("items[qty > 5].id", ["b"]),
        ("items[1].qty", 2),
        ("items[-1].id", "b"),
        ("items[item.qty = 2].id", ["a"]),
        ("xs[item > 1]", [3, 2]),
        ("xs[0]", None),
        ("xs[x - 4]", 3),  # not a comparison: evaluated once, a number is an index
        ("xs[item]", 2),  # null on its own; per item the first value (3) is a number: an index
        ("[1, 2, 3, 4][abs(1)]", 1),
        ("{x: 1} = {x: true}", False),
        ("[1] != [true]", True),
        ("5 in ? < 10", True),
        ("some i in 1..5 satisfies i > 4", True),
        ("some i in [1, 2] satisfies i > xs", None),  # never true, not always boolean
        ("some i in [1, 2] satisfies i > xs or i = 2", True),
        ("every i in [1, 2] satisfies i > xs", None),
        ("every i in [1, 2] satisfies i < 2 and i > xs", False),
        ("for i in x return i", None),
        ('{a+b: 1, ok?: 2, "c": 3}', {"a+b": 1, "ok?": 2, "c": 3}),
        ("{a+b: 1}.`a+b`", 1),
        ('time("T10:00:00")', "10:00:00"),
        ('duration("PT-5M")', "-PT5M"),
        ('duration("P-1Y-2M")', "-P1Y2M"),
        ('@"2020-01-01T10:00:00" instance of date time', True),
        ('@"P1D" instance of day-time-duration', True),
        ("xs[4]", None),
        ("x[1]", None),  # feel-scala: a filter needs a list
        ("x[item > 1]", None),
        ("{a: 1}.b", None),
        ("nothing.a", None),
        ('date("2024-03-05").month', 3),
        ('@"P1Y2M".years', 1),
        ('@"P1DT2H".hours', 2),
        ("[1..5].start", 1),
        ("[1..5).end included", False),
        # if / for / quantifiers
        ('if x > 3 then "big" else "small"', "big"),
        ("if null then 1 else 2", 2),
        ("if 5 then 1 else 2", 2),
        ("for i in 1..3 return i * i", [1, 4, 9]),
        ("for i in 3..1 return i", [3, 2, 1]),
        ("for i in [1, 2], j in [10, 20] return i + j", [11, 21, 12, 22]),
        ("for i in 1..5 return if i = 1 then 1 else partial[-1] * i", [1, 2, 6, 24, 120]),
        ("for i in [] return i", []),
        ("for i in xs return i", [3, 1, 2]),
        ("some i in xs satisfies i > 2", True),
        ("every i in xs satisfies i > 2", False),
        ("every i in [] satisfies false", True),
        ("some i in [1, 2], j in [2, 3] satisfies i = j", True),
        # in / unary tests inside expressions
        ("x in [1, 5]", True),
        ("x in (1..5)", False),
        ("x in [1..5]", True),
        ("x in ]1..5]", True),
        ("x in > 3", True),
        ("x in (< 1, > 4)", True),
        ("x in (1, 2, 3)", False),
        ('"b" in ["a", "b"]', True),
        ("x in 5", True),
        # instance of
        ("x instance of number", True),
        ("s instance of string", True),
        ('date("2020-01-01") instance of date', True),
        ('@"P1D" instance of days and time duration', True),
        ('@"P1Y" instance of years and months duration', True),
        ("xs instance of list", True),
        ("{} instance of context", True),
        ("(function(a) a) instance of function", True),
        ("nothing instance of Null", True),
        # functions
        ("(function(a, b) a * b)(3, 4)", 12),
        ("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(6)}.r", 720),
        ("{add: function(a, b) a - b}.add(b: 1, a: 10)", 9),
        ('substring(string: "abcdef", start position: 3, length: 2)', "cd"),
        ("nope(1)", None),
        ("x(1)", None),
        # temporal arithmetic
        ('date("2020-01-31") + @"P1M"', "2020-02-29"),
        ('date("2020-03-01") - @"P1D"', "2020-02-29"),
        ('date("2021-01-01") - date("2020-01-01")', "P366D"),
        ('date and time("2020-01-01T10:00:00") + @"PT90M"', "2020-01-01T11:30:00"),
        ('date and time("2020-01-01T23:00:00Z") + @"PT2H"', "2020-01-02T01:00:00Z"),
        ('time("23:30:00") + @"PT1H"', "00:30:00"),
        ('@"P1D" * 2', "P2D"),
        ('@"P1D" * 1.5', "P1D"),  # feel-scala scales durations by the integer part
        ('@"P1Y" * 2', "P2Y"),
        ('@"P1Y" / 5', "P2M"),
        ('@"PT1H" / 2', "PT30M"),
        ('@"P1D" / @"PT1H"', 24),
        ('@"P1Y" + @"P6M"', "P1Y6M"),
        ('date("2020-01-01") < date("2020-01-02")', True),
        ('@"P1D" > @"PT23H"', True),
        (
            'date and time("2020-01-01T10:00:00Z") = date and time("2020-01-01T11:00:00+01:00")',
            True,
        ),
        ('date and time("2020-01-01T10:00:00") < date and time("2020-01-01T10:00:00Z")', None),
        ('date and time("2020-06-01T10:00:00@Europe/Berlin")', "2020-06-01T10:00:00+02:00"),
        (
            'string(date and time("2020-06-01T10:00:00@Europe/Berlin"))',
            "2020-06-01T10:00:00@Europe/Berlin",
        ),
        ('@"2020-01-01T10:00:00"', "2020-01-01T10:00:00"),
        # comments and whitespace
        ("1 + /* two */ 2 // trailing", 3),
        ("  =  1 + 1  ", 2),
    ],
)
def test_expression(expr: str, expected: Any) -> None:
    assert evaluate(expr, CTX) == expected


def test_integers_stay_integers_in_json() -> None:
    value = evaluate("{a: 2 * 3, b: 1.5 * 2, c: 10 / 4, d: x}", CTX)
    assert value == {"a": 6, "b": 3, "c": 2.5, "d": 5}
    assert type(value["a"]) is int and type(value["b"]) is int and type(value["c"]) is float


@pytest.mark.parametrize(
    ("expr", "warning"),
    [
        ("nope", "No variable found with name 'nope'"),
        ("{a: 1}.b", "No context entry found with key 'b'"),
        ('1 + "a"', "can't add"),
        ("unknown fn(1)", "No function found with name 'unknown fn'"),
        ('substring("abc")', "No function found with name 'substring' and 1 parameters"),
        ('1 < "a"', "can't compare number with string"),
    ],
)
def test_problems_give_null_and_a_warning(expr: str, warning: str) -> None:
    result = compile(expr).evaluate_detailed(CTX)
    assert result.value is None
    assert any(warning in w.message for w in result.warnings), result.warnings


def test_context_entries_see_earlier_entries_only_in_order() -> None:
    assert evaluate("{a: b, b: 1}", {}) == {"a": None, "b": 1}
    assert evaluate("{a: b, b: 1}", {"b": 7}) == {"a": 7, "b": 1}


def test_partial_is_a_snapshot() -> None:
    assert evaluate("for i in 1..3 return partial", {}) == [[], [[]], [[], [[]]]]
    assert evaluate("count(for i in 1..5000 return partial[-1])", {}) == 5000


def test_functions_capture_their_scope() -> None:
    assert evaluate("for i in 1..3 return (function(x) x + i)(10)", {}) == [11, 12, 13]
