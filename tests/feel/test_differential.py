"""Differential test: our results against feelin's on the corpus (>= 1,500 cases, >= 98%)."""

from __future__ import annotations

from typing import Any

import pytest

from app.feel import FeelError, compile, compile_unary_tests
from tests.feel import feelin
from tests.feel.corpus import cases

MIN_CASES = 1500
MIN_AGREEMENT = 0.98


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


def test_agrees_with_feelin() -> None:
    reason = feelin.missing_reason()
    if reason:
        pytest.fail(reason)
    total, diffs = compare()
    agreement = 1 - len(diffs) / total
    report = "\n".join(f"  {e}\n    ours:   {m}\n    feelin: {t}" for e, m, t in diffs)
    assert agreement >= MIN_AGREEMENT, f"{agreement:.2%} agreement on {total} cases:\n{report}"


if __name__ == "__main__":
    total, diffs = compare()
    for e, m, t in diffs:
        print(f"{e}\n    ours:   {m}\n    feelin: {t}")
    print(f"{total} cases, {len(diffs)} differences, {1 - len(diffs) / total:.2%} agreement")
