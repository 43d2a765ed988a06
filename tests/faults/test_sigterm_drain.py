"""Fault: SIGTERM to ``switchboard serve`` with jobs in flight (``docker stop``, a Kubernetes
pod deletion).

The real command runs in a subprocess against the test gateway and PostgreSQL. With quick
jobs (1 s) and stuck jobs (60 s) running, the test sends SIGTERM: the worker must stop
activating (jobs added afterwards are never handed to it), let the quick jobs finish within
``SWITCHBOARD_SHUTDOWN_GRACE_SECONDS``, flush their history rows, and exit 0. The stuck jobs
get no command at all, neither FailJob nor CompleteJob: they stay activated until their lock
expires and Zeebe hands them out again (camunda/camunda
``zeebe/engine/src/main/java/io/camunda/zeebe/engine/processing/job/JobTimeoutCheckerScheduler.java``),
which the test waits for.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.faults.support import (
    SESSION_SECRET,
    Figures,
    free_port,
    history_rows,
    report,
    unique_process_id,
)
from tests.support.gateway import ACTIVATABLE, COMPLETED, TestGateway
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(150)

ROOT = Path(__file__).resolve().parents[2]
NAP = "test:nap:1"  # tests/zeebe/drain_connectors.py
QUICK, STUCK, LATE = 20, 4, 10
GRACE_SECONDS = 4
LOCK_SECONDS = 10  # the stuck jobs' lock: the gateway re-activates them this long after


def _live(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _serve(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """``switchboard serve`` in a subprocess, its output in ``log_path``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "switchboard"), "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=log_path.parent,
        )


async def test_sigterm_drains_in_flight_jobs_and_exits_zero(migrated: str, tmp_path: Path) -> None:
    pid = unique_process_id("sigterm")
    port = free_port()
    log_path = tmp_path / "serve.log"
    async with TestGateway() as gateway:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SWITCHBOARD_", "VAULT"))},
            "PYTHONPATH": str(ROOT),
            "SWITCHBOARD_HOST": "127.0.0.1",
            "SWITCHBOARD_PORT": str(port),
            "SWITCHBOARD_DATABASE_URL": migrated,
            "SWITCHBOARD_SESSION_SECRET": SESSION_SECRET,
            "ZEEBE_ADDRESS": gateway.address,
            "CONNECTOR_NAP_FUNCTION": "tests.zeebe.drain_connectors:nap",
            "CONNECTOR_OUTBOUND_ENABLED": NAP,
            "SWITCHBOARD_SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
            "SWITCHBOARD_WORKER_REQUEST_TIMEOUT_SECONDS": "1",
            "SWITCHBOARD_WORKER_JOB_TIMEOUT_SECONDS": str(LOCK_SECONDS),
            "SWITCHBOARD_HISTORY_FLUSH_INTERVAL_SECONDS": "0.5",
        }
        process = _serve(env, log_path)
        try:

            async def live() -> bool:
                if process.poll() is not None:
                    raise AssertionError(f"serve exited early:\n{log_path.read_text()}")
                return await asyncio.to_thread(_live, port)

            await eventually(live, within=90, every=0.2, what="switchboard serve live")
            quick = [
                gateway.add_job(NAP, {"seconds": 1.0}, {"resultVariable": "r"}, bpmn_process_id=pid)
                for _ in range(QUICK)
            ]
            stuck = [
                gateway.add_job(NAP, {"seconds": 60}, bpmn_process_id=pid) for _ in range(STUCK)
            ]
            await gateway.wait_for(
                lambda: all(j.activations for j in quick + stuck),
                timeout=30,
                what="every job running",
            )
            in_flight = gateway.active_count(NAP)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code_task = asyncio.ensure_future(asyncio.to_thread(process.wait, 60))

            async def drain_begun() -> bool:
                return "waiting up to" in log_path.read_text(errors="replace")

            # The worker has stopped activating once it logs the drain; add jobs then.
            await eventually(drain_begun, within=20, what="the drain to begin")
            late = [gateway.add_job(NAP, {"seconds": 0}, bpmn_process_id=pid) for _ in range(LATE)]
            code = await code_task
            exited_after = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        log_text = log_path.read_text(errors="replace")
        # Left for Zeebe: the lock expires and the job is activatable again, not failed.
        await gateway.wait_for(
            lambda: all(j.state == ACTIVATABLE and j.timeouts == 1 for j in stuck),
            timeout=LOCK_SECONDS + 10,
            what="the stuck jobs re-activatable",
        )
        rows, keyed = await history_rows(migrated, pid)

    jobs = quick + stuck + late
    completed = sum(1 for j in jobs if j.state == COMPLETED)
    left = sum(1 for j in jobs if j.state == ACTIVATABLE and not j.failures)
    figures = report(
        Figures(
            "SIGTERM with jobs in flight",
            jobs_sent=len(jobs),
            jobs_completed=completed,
            jobs_lost=len(jobs) - completed - left,
            rows_expected=QUICK,
            rows_present=rows,
            notes={
                "in flight at the signal": in_flight,
                "exit status": code,
                "exited after": f"{exited_after:.1f} s (grace {GRACE_SECONDS} s)",
                "left for Zeebe to re-activate": f"{STUCK} stuck + {LATE} added after",
                "FailJob sent": len(gateway.calls_to("FailJob")),
            },
        )
    )
    print(figures.line())
    assert code == 0, log_text
    assert figures.jobs_lost == 0
    assert all(
        j.state == COMPLETED and j.completed_variables == {"r": {"slept": 1.0}} for j in quick
    )
    assert all(j.failures == [] for j in jobs) and gateway.calls_to("FailJob") == []
    assert all(j.activations == 0 for j in late), "activated after SIGTERM"
    assert exited_after < GRACE_SECONDS + 10
    assert rows == keyed == QUICK, log_text  # flushed before exit; stuck jobs write none
