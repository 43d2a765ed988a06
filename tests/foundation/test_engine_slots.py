"""The per-connector concurrency bound (issue 15, "bounded everything") holds even when jobs
arrive past it: a zeebe worker's poll is sized by the slots free when it is sent, and while it
waits the job stream can fill those slots (seen in tests/faults as three jobs running at once
with a limit of two). Jobs past the limit wait for a slot instead of running."""

from __future__ import annotations

import asyncio

from app.engines.slots import TaskSlots
from tests.support.waiting import eventually


async def test_jobs_past_the_limit_wait_for_a_slot() -> None:
    slots = TaskSlots(2)
    release = asyncio.Event()
    running = 0
    peak = 0
    done = 0

    async def job() -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1
        done += 1

    for n in range(5):  # more than the limit, as a stream plus a poll can deliver
        slots.start(job(), name=f"job-{n}")
    assert len(slots.running) == 5  # all taken: no further activation is asked for
    await eventually(lambda: running == 2, what="two jobs running")
    await asyncio.sleep(0)  # give a third the chance it must not take
    assert running == 2
    release.set()
    await eventually(lambda: done == 5, what="every job done")
    assert peak == 2 and slots.finished == 5 and not slots.running


async def test_a_job_cancelled_while_it_waits_never_runs() -> None:
    slots = TaskSlots(1)
    started: list[str] = []
    hold = asyncio.Event()

    async def job(name: str) -> None:
        started.append(name)
        await hold.wait()

    slots.start(job("first"), name="first")
    slots.start(job("second"), name="second")
    await eventually(lambda: started == ["first"], what="the first job running")
    waiting = next(t for t in slots.running if t.get_name() == "second")
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    hold.set()
    await eventually(lambda: not slots.running, what="all tasks ended")
    assert started == ["first"]
