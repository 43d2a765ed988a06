"""SIGTERM during ``switchboard serve``: stop activating, finish in-flight jobs within the
grace period, flush history, exit 0; what did not finish is left for Zeebe (issue 15)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.deploy.container import Server
from tests.deploy.tools import ROOT
from tests.support.gateway import TestGateway

pytestmark = pytest.mark.timeout(180)


async def test_sigterm_drains_and_exits_zero(tmp_path: Path) -> None:
    async with TestGateway() as gateway:
        server = Server(
            tmp_path,
            PYTHONPATH=str(ROOT),
            ZEEBE_ADDRESS=gateway.address,
            CONNECTOR_NAP_FUNCTION="tests.zeebe.drain_connectors:nap",
            CONNECTOR_OUTBOUND_ENABLED="test:nap:1",
            SWITCHBOARD_SHUTDOWN_GRACE_SECONDS="3",
            SWITCHBOARD_WORKER_REQUEST_TIMEOUT_SECONDS="1",
        )
        try:
            await server.wait_live_async(timeout=90)  # start-up is slow on a loaded machine
            quick = gateway.add_job("test:nap:1", {"seconds": 1.0}, {"resultVariable": "r"})
            stuck = gateway.add_job("test:nap:1", {"seconds": 60})
            await gateway.wait_for(
                lambda: quick.activations and stuck.activations, timeout=20, what="both running"
            )
            status = asyncio.ensure_future(server.terminate_async(timeout=30))
            await asyncio.sleep(0.3)  # the signal is handled: no activation after this point
            late = gateway.add_job("test:nap:1", {"seconds": 0})
            code = await status
        finally:
            if server.process.poll() is None:
                server.process.kill()
        log = server.log()
        assert code == 0, log
        assert quick.state == "completed" and quick.completed_variables == {"r": {"slept": 1.0}}
        # Not failed: left activated, Zeebe hands it out again when its lock expires.
        assert stuck.state == "activated" and stuck.failures == []
        assert late.activations == 0
        assert gateway.calls_to("FailJob") == []
    with sqlite3.connect(tmp_path / "switchboard.db") as db:
        rows = db.execute("SELECT job_key FROM executions WHERE source = 'zeebe'").fetchall()
    assert {int(r[0]) for r in rows} == {quick.key}, log
