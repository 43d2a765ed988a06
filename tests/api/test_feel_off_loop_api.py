"""Issue 15: a long FEEL evaluation in a test invocation does not hold the service: while it
runs in the FEEL pool, /health/live answers."""

from __future__ import annotations

import asyncio

from tests.api.harness import client
from tests.support.app import StartedApp
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"


async def test_health_answers_while_a_long_expression_runs(
    app: StartedApp, keys: dict[str, str]
) -> None:
    runner = app.services.runtime.feel
    before = runner.offloaded
    body = {
        "variables": {"n": 1},
        "headers": {"resultExpression": "={n: count(for x in 1..800000 return x)}"},
    }
    async with client(app, keys["operator"]) as c:
        invoking = asyncio.create_task(c.post(f"/api/v1/connectors/{ECHO}/invoke", json=body))
        await eventually(lambda: runner.offloaded > before, what="the evaluation in the pool")
        live = await c.get("/health/live")
        assert live.status_code == 200
        assert not invoking.done(), "the invocation should still be evaluating"
        answer = (await invoking).json()
    assert answer["command"] == "complete", answer
    assert answer["variables"] == {"n": 800_000}
