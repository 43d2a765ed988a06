"""FEEL runs off the event loop when it is long (issue 15): an expression within the inline
step budget is evaluated in place, one needing more is evaluated again in the runtime's FEEL
pool, so the event loop keeps serving other work while it runs; answers are the same either
way, and the FEEL limits still apply in the pool."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.feel import BudgetExceeded
from app.feel import compile as feel_compile
from app.runtime.executor import ConnectorRuntime, RuntimeLimits
from app.runtime.feel_runner import FeelRunner
from app.runtime.model import Complete, Fail, Job
from app.settings import Settings
from connectors.echo import echo

LONG = 600_000  # iterations: a few hundred milliseconds of FEEL


def _job(expression: str) -> Job:
    return Job.create(echo.type, {"n": 1}, custom_headers={"resultExpression": expression})


@pytest.fixture
def runtime() -> ConnectorRuntime:
    rt = ConnectorRuntime({echo.type: echo}, limits=RuntimeLimits(feel_inline_steps=5_000))
    yield rt
    rt.close()


def test_a_step_budget_stops_an_evaluation_without_failing_it() -> None:
    expression = feel_compile("count(for x in 1..50000 return x)")
    with pytest.raises(BudgetExceeded):
        expression.evaluate({}, max_steps=1_000)
    assert expression.evaluate({}) == 50_000  # without the budget: the process limits
    assert feel_compile("count(for x in 1..500 return x)").evaluate({}, max_steps=1_000) == 500


async def test_short_expressions_stay_on_the_loop(runtime: ConnectorRuntime) -> None:
    result = await runtime.execute(_job("={total: sum(for x in 1..100 return x)}"))
    assert result.outcome == Complete(variables={"total": 5050})
    assert runtime.feel.offloaded == 0


async def test_long_expressions_run_in_the_pool_with_the_same_answer(
    runtime: ConnectorRuntime,
) -> None:
    result = await runtime.execute(_job("={n: count(for x in 1..50000 return x), m: response.n}"))
    assert result.outcome == Complete(variables={"n": 50_000, "m": 1})
    assert runtime.feel.offloaded == 1
    # The error expression is a stage of its own, offloaded the same way.
    job = Job.create(
        echo.type,
        {"n": 1},
        custom_headers={
            "errorExpression": "=if count(for x in 1..50000 return x) > 10 "
            'then bpmnError("BIG", "many") else null'
        },
    )
    thrown = await runtime.execute(job)
    assert thrown.outcome.command == "throw_error"
    assert runtime.feel.offloaded == 2


async def test_the_event_loop_keeps_running_during_a_long_evaluation(
    runtime: ConnectorRuntime,
) -> None:
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    result = await runtime.execute(_job(f"={{n: count(for x in 1..{LONG} return x)}}"))
    took = time.perf_counter() - started
    stop.set()
    await ticking
    assert result.outcome == Complete(variables={"n": LONG})
    # On the loop the longest gap would be the whole evaluation; off it, the loop gets the
    # interpreter back every switch interval (5 ms).
    assert max(gaps) < took / 3, (max(gaps), took)
    assert len(gaps) > 10


async def test_limits_still_apply_in_the_pool(runtime: ConnectorRuntime) -> None:
    from app.feel import limits

    saved = limits.MAX_STEPS
    limits.configure(max_steps=20_000)
    try:
        result = await runtime.execute(_job("={n: count(for x in 1..50000 return x)}"))
    finally:
        limits.configure(max_steps=saved)
    assert isinstance(result.outcome, Fail)
    assert "iteration budget of 20000 steps" in result.outcome.message
    assert runtime.feel.offloaded == 1


async def test_inline_zero_sends_everything_to_the_pool() -> None:
    runner = FeelRunner(0, pool_size=1)
    try:
        assert await runner.run(lambda: feel_compile("1 + 1").evaluate({}, max_steps=0)) == 2
    finally:
        runner.close()


def test_settings_reach_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_FEEL_INLINE_STEPS", "123")
    monkeypatch.setenv("SWITCHBOARD_FEEL_POOL_SIZE", "3")
    runtime = ConnectorRuntime.from_settings({echo.type: echo}, Settings(_env_file=None))
    try:
        assert (runtime.feel.inline_steps, runtime.feel.pool_size) == (123, 3)
    finally:
        runtime.close()


def test_defaults_are_the_documented_ones() -> None:
    defaults = Settings(_env_file=None)
    assert (defaults.feel_inline_steps, defaults.feel_pool_size) == (5_000, 2)
