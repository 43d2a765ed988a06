"""Differential test: our results against feelin's on the corpus (>= 1,500 cases).

Every case must agree except the known differences below, each documented (with its reason)
in the "Known differences from feelin" table of docs/feel.md: a new difference fails, and so
does a listed one that has gone away (remove it here and in the docs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.feel import FeelError, compile, compile_unary_tests
from tests.feel import feelin
from tests.feel.corpus import cases

MIN_CASES = 1500
DOCS = Path(__file__).resolve().parents[2] / "docs" / "feel.md"

# The row of docs/feel.md's table that explains each row's difference.
_BOOLEAN_ORDER = "`true < false`"
_SUBSTRING_RANGE = '`substring("", 2, 3)`, `substring("abc", -4)`'
_DURATION_SCALING = "`duration * n`, `duration / n`, `duration / duration`"
_YM_DURATION = "`years and months duration(d1, d2)`"
_ZONED_LOCAL = "zoned vs local date-time `<`"
_MIN_MAX = '`min(["b", "a"])`, `max([...])` of strings'

KNOWN_DIFFERENCES: dict[str, str] = {
    "true < false": _BOOLEAN_ORDER,
    "true >= true": _BOOLEAN_ORDER,
    'substring("", 2, 3)': _SUBSTRING_RANGE,
    'substring("", -3)': _SUBSTRING_RANGE,
    'substring("", -3, 2)': _SUBSTRING_RANGE,
    'substring("abc", 0)': '`substring("abc", 0)`',
    'string({a: "b"})': '`string({a: "b"})`',
    'number("")': '`number("")`',
    "and([true, true])": "`and([true, true])`, `or([...])`",
    "or([false, false])": "`and([true, true])`, `or([...])`",
    "remove([1, 2, 3], -1)": "`remove([1, 2, 3], -1)`",
    'min(["b", "a"])': _MIN_MAX,
    'max(["b", "a", "c"])': _MIN_MAX,
    'date and time("2020-06-15T23:59:59Z") < date and time("2021-01-01T00:00:00")': _ZONED_LOCAL,
    'date and time("2021-03-28T01:30:00+02:00") < date and time("2021-01-01T00:00:00")': (
        _ZONED_LOCAL
    ),
    '@"08:00:00" - time("08:00:00")': '`time("08:00:00") - time("08:00:00")`',
    'duration("P2DT3H4M5S") * 2': _DURATION_SCALING,
    'duration("P2DT3H4M5S") / 2': _DURATION_SCALING,
    'duration("P2Y3M") * 2': _DURATION_SCALING,
    'duration("P2Y3M") / 2': _DURATION_SCALING,
    'duration("P1D") / duration("PT1H")': _DURATION_SCALING,
    'date("2020-01-01") + duration("PT25H")': '`date("2020-01-01") + duration("PT25H")`',
    'years and months duration(date("2020-01-31"), date("2020-02-29"))': _YM_DURATION,
    'years and months duration(date("2019-01-15"), date("2021-02-28"))': _YM_DURATION,
    'date("2020-01-01T10:00:00")': '`date("2020-01-01T10:00:00")`',
    "{a: 1, b: 2}[a > 0]": "`{a: 1, b: 2}[a > 0]`, `x[1]` for a non-list `x`",
    "for i in 0..0 return i": "`for i in 0..0 return i`",
    "(function(a) a) instance of function": "`(function(a) a) instance of function`",
    'includes(["a".."m"], "f")': '`includes(["a".."m"], "f")`',
    'response.body.details[field = "id"] != []': "`list != []` for a non-empty list",
}


def ours(case: dict[str, Any]) -> dict[str, Any]:
    try:
        if case.get("kind") == "unary":
            return {
                "ok": compile_unary_tests(case["expr"]).test(case["input"], case.get("context"))
            }
        value = compile(case["expr"]).evaluate_raw(case.get("context"))
        return {"ok": feelin.normalize(value)}
    except FeelError as exc:
        return {"error": str(exc)}


def agree(mine: dict[str, Any], theirs: dict[str, Any]) -> bool:
    if "error" in mine or "error" in theirs:
        return "error" in mine and "error" in theirs
    return feelin.same(mine["ok"], theirs["ok"])


def compare() -> tuple[int, list[tuple[str, Any, Any]]]:
    corpus = cases()
    theirs = feelin.run({"mode": "eval", "cases": corpus})
    diffs = []
    for case, their in zip(corpus, theirs, strict=True):
        mine = ours(case)
        if not agree(mine, their):
            label = case["expr"] if "input" not in case else f"{case['expr']} <- {case['input']!r}"
            diffs.append((label, mine, their))
    return len(corpus), diffs


def test_corpus_is_large_enough() -> None:
    assert len(cases()) >= MIN_CASES


def test_agrees_with_feelin_except_the_known_differences() -> None:
    reason = feelin.missing_reason()
    if reason:
        pytest.fail(reason)
    total, diffs = compare()
    new = [(e, m, t) for e, m, t in diffs if e not in KNOWN_DIFFERENCES]
    report = "\n".join(f"  {e}\n    ours:   {m}\n    feelin: {t}" for e, m, t in new)
    assert not new, (
        f"{len(new)} new differences from feelin on {total} cases (fix them, or list them in "
        f"KNOWN_DIFFERENCES and docs/feel.md with the reason):\n{report}"
    )
    gone = set(KNOWN_DIFFERENCES) - {e for e, _, _ in diffs}
    assert not gone, f"no longer different (remove from KNOWN_DIFFERENCES and docs): {gone}"


def test_every_known_difference_is_documented() -> None:
    rows = {
        line.split(" | ")[0].removeprefix("| ")
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ")
    }
    undocumented = {e: row for e, row in KNOWN_DIFFERENCES.items() if row not in rows}
    assert not undocumented, f"rows missing from docs/feel.md's known differences: {undocumented}"


if __name__ == "__main__":
    total, diffs = compare()
    for e, m, t in diffs:
        print(f"{e}\n    ours:   {m}\n    feelin: {t}")
    print(f"{total} cases, {len(diffs)} differences, {1 - len(diffs) / total:.2%} agreement")
