"""Fault: the Zeebe gateway is killed mid-run and restarted on the same port.

The real application (create_app on real settings: the Zeebe worker of app/engines/zeebe over
real gRPC, history to PostgreSQL) works echo jobs fed at a steady rate; the test gateway
(tests/support/gateway.py) is stopped with every call in flight cancelled, kept down, and
started again on its port. The worker must reconnect by itself, readiness must show the
engine DOWN (503) and then UP, and every job must be completed exactly once (one accepted
CompleteJob per job) or be re-activated by the gateway when its lock expires: none lost,
none stuck. Zeebe hands out again a job whose lock expired without an answer (camunda/camunda
``zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/job/JobTimeoutCheckerScheduler.java``),
which is what the gateway's job timeout models.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import grpc
import pytest

from connectors.echo import echo
from tests.faults.support import (
    Figures,
    ReadinessRecorder,
    fault_app,
    history_rows,
    report,
    unique_process_id,
)
from tests.support.gateway import COMPLETED, TestGateway
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

JOBS = 1500
RATE = 150  # jobs added per second
OUTAGE_SECONDS = 3.0
JOB_LOCK_SECONDS = 4.0  # unanswered jobs come back this long after their activation
WORK_MS = 100  # each job takes this long, so that jobs are running when the gateway dies


async def test_gateway_killed_and_restarted_mid_run(migrated: str) -> None:
    pid = unique_process_id("gateway")
    async with (
        TestGateway() as gateway,
        fault_app(
            migrated,
            (echo,),
            gateway,
            worker_job_timeout_seconds=JOB_LOCK_SECONDS,
            history_flush_interval_seconds=0.2,
        ) as app,
    ):
        with ReadinessRecorder(app, "zeebe") as readiness:
            await eventually(lambda: readiness.is_("up"), within=20, what="the worker up")

            async def feed() -> None:
                for n in range(JOBS):
                    variables = {"n": n, "sleep_ms": WORK_MS}
                    gateway.add_job(echo.type, variables, {"resultVariable": "r"},
                                    bpmn_process_id=pid)  # fmt: skip
                    if n % (RATE // 10) == 0:
                        await asyncio.sleep(0.1)  # pacing: RATE jobs per second

            engine = app.app.services.engine("zeebe")
            assert engine is not None
            kept = 0

            async def watch_kept() -> None:
                nonlocal kept
                while True:
                    kept = max(kept, engine.status()["pendingCommands"])
                    await asyncio.sleep(0.01)

            watcher = asyncio.create_task(watch_kept())
            feeder = asyncio.create_task(feed())
            await gateway.wait_for(
                lambda: gateway.finished_count >= JOBS // 4, timeout=30, what="a quarter done"
            )
            done_at_kill = gateway.finished_count
            killed = readiness.now()
            await gateway.stop()  # kill: every running call is cancelled
            await eventually(lambda: readiness.is_("down"), within=10, what="readiness down")
            down_code = readiness.latest[0] if readiness.latest else 0
            await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself
            restarted = readiness.now()
            await gateway.start()  # same port
            started = time.monotonic()
            await eventually(lambda: readiness.is_("up"), within=20, what="readiness up again")
            await feeder
            await gateway.wait_for(
                lambda: all(j.state == COMPLETED for j in gateway.jobs.values()),
                timeout=60,
                what="every job completed",
            )
            drained = time.monotonic() - started
            watcher.cancel()
        executions = await app.metric("switchboard_invocations_total")
        await eventually(
            lambda: app.app.services.history.queue_depth == 0, within=20, what="history flushed"
        )
        rows, keyed = await history_rows(migrated, pid)

    jobs = list(gateway.jobs.values())
    accepted = Counter(
        c.request.jobKey for c in gateway.calls_to("CompleteJob") if c.code is grpc.StatusCode.OK
    )
    refused = sum(1 for c in gateway.calls_to("CompleteJob") if c.code is grpc.StatusCode.NOT_FOUND)
    completed = sum(1 for j in jobs if j.state == COMPLETED)
    reactivated = sum(1 for j in jobs if j.timeouts > 0)
    went_down = readiness.first("down", killed)
    came_up = readiness.first("up", restarted)
    figures = report(
        Figures(
            "gateway killed and restarted",
            jobs_sent=len(jobs),
            jobs_completed=completed,
            jobs_lost=len(jobs) - completed,
            rows_expected=int(executions),
            rows_present=rows,
            notes={
                "outage": f"{OUTAGE_SECONDS:g} s after {done_at_kill} jobs",
                "readiness DOWN after": f"{(went_down or 0) - killed:.2f} s (HTTP {down_code})",
                "UP after restart": f"{(came_up or 0) - restarted:.2f} s",
                "results kept through the outage and re-sent": kept,
                "re-activated by the gateway": reactivated,
                "duplicate completions refused (NOT_FOUND)": refused,
                "all completed": f"{drained:.1f} s after the restart",
            },
        )
    )
    print(figures.line())
    assert figures.jobs_lost == 0
    assert all(accepted[j.key] == 1 for j in jobs), "a job was completed more than once"
    assert all(j.completed_variables == {"r": j.variables} for j in jobs)
    assert down_code == 503 and went_down is not None and came_up is not None
    sequence = readiness.sequence()
    assert sequence[sequence.index("up") :][:3] == ["up", "down", "up"], readiness.changes
    # One history row per execution; every job has one (re-activated ones may have two).
    assert keyed == len(jobs)
    assert rows == executions
