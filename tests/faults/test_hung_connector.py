"""Fault: a connector that hangs (async) or blocks its thread (sync) past its timeout.

Each fault connector (tests/faults/connectors.py) declares a 1 s timeout; the worker may run
two jobs of a type at once (``SWITCHBOARD_WORKER_MAX_RUNNING_JOBS=2``). Two hung jobs take
both slots first, then quick jobs of the same type arrive. The timeout must fire, the hung
jobs fail with retries - 1 and the header's backoff (a timeout is an ordinary failure: Camunda's
runtime fails any exception other than its input and retry exceptions with
``job.getRetries() - 1`` and the configured backoff, camunda/connectors
``handleGenericException`` in
connector-runtime/connector-runtime-core/src/main/java/io/camunda/connector/runtime/core/outbound/OutboundConnectorExceptionHandler.java),
and the slots must be freed so that every quick job runs and completes.

A sync connector's thread cannot be interrupted: it stays busy until the blocking call
returns, so the sync pool (``SWITCHBOARD_SYNC_POOL_SIZE``, here 4) must be larger than the
number of calls that may hang at once; the figures show the threads still blocked.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults import connectors as fault
from tests.faults.support import (
    Figures,
    fault_app,
    history_rows,
    report,
    unique_process_id,
)
from tests.support.gateway import COMPLETED, FAILED, TestGateway

pytestmark = pytest.mark.timeout(60)

HUNG, QUICK = 2, 20
RETRIES = 3
HEADERS = {"resultVariable": "r", "retryBackoff": "PT60S"}  # a hung job waits out its backoff


@pytest.mark.parametrize(
    ("connector", "hang_seconds"),
    [(fault.hang, 3600.0), (fault.block, 4.0)],
    ids=["async-hang", "sync-block"],
)
async def test_hung_connector_times_out_and_frees_its_slot(
    migrated: str, connector: object, hang_seconds: float
) -> None:
    job_type = connector.type  # type: ignore[attr-defined]
    pid = unique_process_id("hung")
    async with (
        TestGateway() as gateway,
        fault_app(
            migrated,
            (fault.hang, fault.block),
            gateway,
            worker_max_running_jobs=2,
            worker_max_jobs_to_activate=2,
            sync_pool_size=4,
            history_flush_interval_seconds=0.2,
        ) as app,
    ):
        hung = [
            gateway.add_job(
                job_type, {"seconds": hang_seconds}, HEADERS, retries=RETRIES, bpmn_process_id=pid
            )
            for _ in range(HUNG)
        ]
        await gateway.wait_for(
            lambda: all(j.activations for j in hung), timeout=20, what="both slots taken"
        )
        workers = app.app.services.engine("zeebe").workers  # type: ignore[union-attr]
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, *(len(w.running) for w in workers))
                await asyncio.sleep(0.005)

        watcher = asyncio.create_task(watch())
        started = time.monotonic()
        quick = [
            gateway.add_job(job_type, {"seconds": 0}, HEADERS, retries=RETRIES, bpmn_process_id=pid)
            for _ in range(QUICK)
        ]
        await gateway.wait_for(
            lambda: all(j.state == FAILED for j in hung), timeout=15, what="the timeouts"
        )
        failed_after = time.monotonic() - started
        await gateway.wait_for(
            lambda: all(j.state == COMPLETED for j in quick), timeout=20, what="the quick jobs"
        )
        quick_after = time.monotonic() - started
        watcher.cancel()
        blocked = fault.BLOCKING.now
        history = app.app.services.history
        await gateway.wait_for(lambda: history.queue_depth == 0, timeout=20, what="flushed")
        rows, _ = await history_rows(migrated, pid)

    figures = report(
        Figures(
            f"hung connector ({'sync' if job_type == fault.block.type else 'async'}, timeout "
            f"{fault.TIMEOUT_SECONDS:g} s, 2 slots)",
            jobs_sent=HUNG + QUICK,
            jobs_completed=sum(1 for j in quick if j.state == COMPLETED),
            jobs_lost=sum(1 for j in quick + hung if j.state not in (COMPLETED, FAILED)),
            rows_expected=HUNG + QUICK,
            rows_present=rows,
            notes={
                "hung jobs failed": f"{HUNG} after {failed_after:.1f} s with retries "
                f"{'/'.join(str(j.failures[0].retries) for j in hung)}",
                "quick jobs completed": f"{QUICK} within {quick_after:.1f} s",
                "threads still blocked": blocked,
                "most jobs running at once": peak,
            },
        )
    )
    print(figures.line())
    assert figures.jobs_lost == 0
    for job in hung:
        (failure,) = job.failures  # once: it now waits out its 60 s backoff
        assert (failure.retries, failure.backoff_ms) == (RETRIES - 1, 60_000)
        assert failure.variables["error"]["type"] == "switchboard.ConnectorTimeoutError"
        assert "did not finish within 1 seconds" in failure.message
    assert all(j.completed_variables == {"r": {"slept": 0.0}} for j in quick)
    assert peak == 2  # the limit held, and the freed slots were used
    assert blocked == (HUNG if job_type == fault.block.type else 0)
    assert rows == HUNG + QUICK
