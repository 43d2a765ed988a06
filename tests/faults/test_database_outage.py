"""Fault: the database goes away for 20 s while jobs flow.

A PostgreSQL cluster of this module alone (initdb + pg_ctl into a temporary directory, its
own loopback port) holds the application's database; the test stops it (``pg_ctl -m fast``:
every open connection is closed, as in a crash or a failover) while echo jobs keep arriving,
then starts it again on the same port. Jobs must keep completing (the history writer never
blocks a job), readiness must report the database down (503) while the engine stays up, the
execution records wait in the bounded history queue, and once the database is back every
row is present: rows = jobs.

Past the bound the policy is "drop the newest and count it": a record that finds the queue
full is dropped and counted in ``switchboard_history_dropped_rows_total``; the second test
proves the count is exact (dropped + rows present = jobs).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from app.db import migrate
from connectors.echo import echo
from tests.faults.support import (
    Figures,
    PostgresCluster,
    ReadinessRecorder,
    fault_app,
    history_rows,
    report,
    unique_process_id,
)
from tests.support.gateway import COMPLETED, TestGateway
from tests.support.waiting import eventually

OUTAGE_SECONDS = 20.0
RATE = 100  # jobs added per second
HEADERS = {"resultVariable": "r"}


@pytest.fixture(scope="module")
async def database(cluster: PostgresCluster) -> str:
    await migrate.upgrade(cluster.url)
    return cluster.url


async def _feed(gateway: TestGateway, pid: str, seconds: float, counter: list[int]) -> None:
    """Add RATE jobs per second for ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _ in range(RATE // 10):
            gateway.add_job(echo.type, {"n": counter[0]}, HEADERS, bpmn_process_id=pid)
            counter[0] += 1
        await asyncio.sleep(0.1)  # pacing


def _all_completed(gateway: TestGateway) -> bool:
    return all(j.state == COMPLETED for j in gateway.jobs.values())


@pytest.mark.timeout(100)
async def test_database_down_for_20_seconds_while_jobs_flow(
    cluster: PostgresCluster, database: str
) -> None:
    pid = unique_process_id("database")
    sent = [0]
    async with (
        TestGateway() as gateway,
        fault_app(
            database,
            (echo,),
            gateway,
            history_retry_max_seconds=1.0,  # retry the batch at least every second
            history_flush_interval_seconds=0.2,
        ) as app,
    ):
        history = app.app.services.history
        with (
            ReadinessRecorder(app, "database") as db_ready,
            ReadinessRecorder(app, "zeebe") as engine_ready,
        ):
            await eventually(
                lambda: db_ready.is_("up") and engine_ready.is_("up"), within=20, what="ready"
            )
            await _feed(gateway, pid, 2.0, sent)
            await eventually(lambda: history.written > 0, within=10, what="rows written")

            stopped = db_ready.now()
            await asyncio.to_thread(cluster.stop)
            done_before = gateway.finished_count
            peak_queue = 0

            async def watch_queue() -> None:
                nonlocal peak_queue
                while True:
                    peak_queue = max(peak_queue, history.queue_depth)
                    await asyncio.sleep(0.05)

            watcher = asyncio.create_task(watch_queue())
            await _feed(gateway, pid, OUTAGE_SECONDS, sent)  # jobs flow through the outage
            done_during = gateway.finished_count - done_before
            down_code = db_ready.latest[0] if db_ready.latest else 0
            engine_during = engine_ready.sequence()
            database_flag = history.database_available
            queued = history.queue_depth

            restarted = db_ready.now()
            await asyncio.to_thread(cluster.start)
            await _feed(gateway, pid, 2.0, sent)
            await gateway.wait_for(
                lambda: _all_completed(gateway), timeout=30, what="every job completed"
            )
            await eventually(
                lambda: history.queue_depth == 0, within=30, what="the history queue flushed"
            )
            await eventually(lambda: db_ready.is_("up"), within=10, what="database up")
            watcher.cancel()
        dropped = await app.metric("switchboard_history_dropped_rows_total")
        rows, keyed = await history_rows(database, pid)

    jobs = list(gateway.jobs.values())
    completed = sum(1 for j in jobs if j.state == COMPLETED)
    went_down = db_ready.first("down", stopped)
    came_up = db_ready.first("up", restarted)
    figures = report(
        Figures(
            f"database down {OUTAGE_SECONDS:g} s",
            jobs_sent=sent[0],
            jobs_completed=completed,
            jobs_lost=sent[0] - completed,
            rows_expected=sent[0],
            rows_present=rows,
            notes={
                "completed during the outage": f"{done_during} "
                f"({done_during / OUTAGE_SECONDS:.0f}/s)",
                "history queue peak": peak_queue,
                "readiness database DOWN": f"{(went_down or 0) - stopped:.2f} s after pg_ctl stop "
                f"(HTTP {down_code}), engine {'/'.join(engine_during)}",
                "UP": f"{(came_up or 0) - restarted:.2f} s after pg_ctl start",
                "dropped (metric)": int(dropped),
            },
        )
    )
    print(figures.line())
    assert figures.jobs_lost == 0 and len(jobs) == sent[0]
    assert done_during >= OUTAGE_SECONDS * RATE * 0.9  # jobs kept completing
    assert went_down is not None and came_up is not None
    assert down_code == 503 and not database_flag and queued > 0
    assert engine_during == ["up"]  # the engine connection never went down
    assert rows == keyed == sent[0]  # every row present, one per job
    assert dropped == 0


@pytest.mark.timeout(60)
async def test_history_overflow_drops_the_newest_and_counts_them(
    cluster: PostgresCluster, database: str
) -> None:
    """Queue bound 200 (+ one batch of at most 50 being retried): 600 jobs during an
    outage; every job completes, the records past the bound are dropped and counted."""
    pid = unique_process_id("overflow")
    jobs_count, queue_size, batch_size = 600, 200, 50
    async with (
        TestGateway() as gateway,
        fault_app(
            database,
            (echo,),
            gateway,
            history_queue_size=queue_size,
            history_batch_size=batch_size,
            history_retry_max_seconds=0.5,
            history_flush_interval_seconds=0.2,
        ) as app,
    ):
        history = app.app.services.history
        await eventually(
            lambda: app.app.services.engine("zeebe").status()["status"] == "up",  # type: ignore[union-attr]
            within=20,
            what="the worker up",
        )
        await asyncio.to_thread(cluster.stop)
        try:
            for n in range(jobs_count):
                gateway.add_job(echo.type, {"n": n}, HEADERS, bpmn_process_id=pid)
            await gateway.wait_for(
                lambda: _all_completed(gateway), timeout=30, what="every job completed"
            )
            kept = history.queue_depth
            dropped_during = await app.metric("switchboard_history_dropped_rows_total")
        finally:
            await asyncio.to_thread(cluster.start)
        await eventually(lambda: history.queue_depth == 0, within=20, what="queue flushed")
        dropped = await app.metric("switchboard_history_dropped_rows_total")
        rows, _ = await history_rows(database, pid)

    completed = sum(1 for j in gateway.jobs.values() if j.state == COMPLETED)
    figures = report(
        Figures(
            f"history overflow (queue {queue_size} + batch {batch_size}, database down)",
            jobs_sent=jobs_count,
            jobs_completed=completed,
            jobs_lost=jobs_count - completed,
            rows_expected=jobs_count - int(dropped),
            rows_present=rows,
            notes={
                "kept in memory": kept,
                "dropped and counted (switchboard_history_dropped_rows)": int(dropped),
            },
        )
    )
    print(figures.line())
    assert figures.jobs_lost == 0
    assert queue_size <= kept <= queue_size + batch_size
    assert dropped == dropped_during == jobs_count - kept  # counted exactly
    assert rows == jobs_count - dropped == kept
