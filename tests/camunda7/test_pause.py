"""A paused connector type is not fetched from Camunda 7 (issue 19.5 on the external task
engine): its topic leaves the fetchAndLock request, a long poll waiting when the pause lands
is cut short, the other topics go on; after the resume its tasks are fetched again."""

from __future__ import annotations

from app.runtime.control import PausedTypes
from tests.camunda7.conftest import Start
from tests.support.camunda7 import Camunda7StandIn
from tests.support.waiting import eventually
from tests.zeebe import connectors as test_connectors

GATED = test_connectors.gated.type
RETRY = test_connectors.retry.type


def _topics(body: dict) -> set[str]:
    return {t["topicName"] for t in body["topics"]}


async def test_paused_topic_is_not_fetched_until_resumed(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    paused = PausedTypes()
    test_connectors.GATE.open.set()
    await start_engine(paused=paused)
    await eventually(lambda: engine.calls_to("/fetchAndLock"), what="a first fetch")
    # Paused while that long poll waits (1 s): a task it brings back is handed back at once
    # (unlock), not run. The poll itself is not cut short: Camunda 7 would still lock tasks
    # for a request whose client went away.
    paused.set(GATED, True)
    held = engine.add_task(GATED, {"n": 5})
    await eventually(lambda: engine.calls_to(f"/{held.id}/unlock"), what="the task handed back")
    assert not engine.calls_to(f"/{held.id}/complete")

    # The next fetches leave the paused topic out; the other topics are still served.
    seen = len(engine.calls_to("/fetchAndLock"))
    await eventually(
        lambda: len(engine.calls_to("/fetchAndLock")) > seen, what="a fetch after the pause"
    )
    later = engine.calls_to("/fetchAndLock")[seen:]
    assert all(GATED not in _topics(c.body) and RETRY in _topics(c.body) for c in later)
    other = engine.add_task(RETRY, {})
    await eventually(lambda: engine.calls_to(f"/{other.id}/failure"), what="the other topic")
    assert not engine.calls_to(f"/{held.id}/complete")

    paused.set(GATED, False)
    await eventually(
        lambda: engine.calls_to(f"/{held.id}/complete"), what="the held task done after resume"
    )


async def test_every_topic_paused_sends_no_fetch(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    paused = PausedTypes([GATED, RETRY])
    await start_engine(paused=paused, connectors=(test_connectors.gated, test_connectors.retry))
    task = engine.add_task(GATED, {"n": 1})
    test_connectors.GATE.open.set()
    paused.set(RETRY, False)
    # The loop woke for the change: it fetches the running topic only.
    await eventually(lambda: engine.calls_to("/fetchAndLock"), what="a fetch after a resume")
    assert all(_topics(c.body) == {RETRY} for c in engine.calls_to("/fetchAndLock"))
    assert task.worker_id is None
