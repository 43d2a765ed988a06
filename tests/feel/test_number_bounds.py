"""Numbers and shared values on the way out to JSON: bounded in time and memory, never a Python
error (issue 15: `={x: 1e5000}` failed the job with Python's 4,300-digit int error, and 1e6000
in a 10,000-element list took seconds)."""

from __future__ import annotations

import time

from app.feel import compile, evaluate
from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Job
from connectors.echo import echo


def test_whole_numbers_stay_exact_up_to_a_thousand_digits() -> None:
    assert evaluate("9" * 40 + " + 1") == 10**40
    assert evaluate("1e999") == 10**999


def test_whole_numbers_past_a_doubles_range_are_null() -> None:
    assert evaluate("{x: 1e5000}") == {"x": None}


def test_many_huge_numbers_are_converted_quickly() -> None:
    started = time.perf_counter()
    value = evaluate("for i in 1..10000 return 1e6000")
    assert value == [None] * 10000
    assert time.perf_counter() - started < 2


def test_a_list_that_occurs_many_times_is_converted_once() -> None:
    value = compile("{x: [1, 2, 3], ys: for i in 1..1000 return x}.ys").evaluate({})
    assert len(value) == 1000 and value[0] == [1, 2, 3]
    assert all(item is value[0] for item in value)


async def test_a_result_expression_with_a_huge_number_completes() -> None:
    runtime = ConnectorRuntime({echo.type: echo})
    try:
        job = Job.create(
            echo.type, {"n": 1}, custom_headers={"resultExpression": "={x: 1e5000}"}, retries=3
        )
        result = await runtime.execute(job)
        assert result.outcome == Complete(variables={"x": None})
    finally:
        runtime.close()
