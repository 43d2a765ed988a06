"""One application with both engines: ``ZEEBE_ADDRESS`` (the test gateway, real gRPC) and
``SWITCHBOARD_CAMUNDA7_URL`` (the Camunda 7 stand-in, real HTTP) set together serve jobs from
both, readiness shows both, and the execution history (API, filterable by source) holds
both, each with its engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.db import migrate
from app.runtime.registry import ConnectorRegistry
from tests.api.harness import ADMIN_KEY, client, running_app
from tests.support.camunda7 import Camunda7StandIn
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


async def test_zeebe_and_camunda7_in_one_process(
    tmp_path: Path, gateway: TestGateway, engine: Camunda7StandIn
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
    await migrate.upgrade(url)
    async with running_app(
        url,
        zeebe_address=gateway.address,
        worker_request_timeout_seconds=1.0,
        worker_poll_interval_seconds=0.0,
        camunda7_url=engine.address,
        camunda7_worker_id="both",
        camunda7_async_response_timeout_ms=1_000,
        history_flush_interval_seconds=0.05,
    ) as app:
        assert [e.name for e in app.services.engines] == ["zeebe", "camunda7"]
        job = gateway.add_job(ECHO, {"a": 1}, {"resultVariable": "r"})
        task = engine.add_task(ECHO, {"b": 2}, properties={"resultVariable": "r"})
        await gateway.wait_for_state(job, "completed")
        await eventually(lambda: task.state == "completed", what="the Camunda 7 task")

        async with client(app, ADMIN_KEY) as c:

            async def sources() -> Any:
                page = (await c.get("/api/v1/executions", params={"connectorType": ECHO})).json()
                found = sorted(item["source"] for item in page["items"])
                return found if found == ["camunda7", "zeebe"] else None

            assert await eventually(sources, within=10, what="both executions in history")
            only = (await c.get("/api/v1/executions", params={"source": "camunda7"})).json()
            ready = (await c.get("/health/ready")).json()
    assert job.completed_variables == {"r": {"a": 1}}
    assert task.result == {
        "workerId": "both",
        "variables": {"r": {"value": '{"b":2}', "type": "Json"}},
    }
    assert [item["source"] for item in only["items"]] == ["camunda7"]
    assert ready["components"]["camunda7"]["status"] == "up"
    assert ready["components"]["zeebe"]["status"] in ("up", "down")


async def test_running_camunda7_tasks_show_in_metrics(
    tmp_path: Path, engine: Camunda7StandIn
) -> None:
    from tests.zeebe import connectors as test_connectors

    url = f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
    await migrate.upgrade(url)
    test_connectors.GATE.reset()
    async with running_app(
        url,
        camunda7_url=engine.address,
        camunda7_async_response_timeout_ms=1_000,
        shutdown_grace_seconds=0.2,
        app_options={"registry": ConnectorRegistry.of(test_connectors.gated)},
    ) as app:
        engine.add_task(test_connectors.gated.type, {"n": 1})
        await eventually(lambda: test_connectors.GATE.running == 1, what="the task running")
        async with client(app, ADMIN_KEY) as c:
            text = (await c.get("/metrics")).text
        test_connectors.GATE.open.set()
    line = 'switchboard_jobs_in_flight{source="camunda7",type="test:gated:1"} 1.0'
    assert line in text
