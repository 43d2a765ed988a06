"""The application in REST mode: SWITCHBOARD_JOB_TRANSPORT=rest with CAMUNDA_REST_ADDRESS
alone (no ZEEBE_ADDRESS) runs jobs over the REST API, readiness shows the REST engine, and
the gRPC worker is not started (the two would race for the same jobs)."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.db import migrate
from app.main import create_app
from app.settings import Settings
from tests.support.app import started
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway


async def test_rest_mode_runs_jobs_and_reports_readiness(
    tmp_path: Path, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
    await migrate.upgrade(database_url)
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        session_secret="s" * 32,
        job_transport="rest",
        camunda_rest_address=rest.address,
        worker_request_timeout_seconds=1.0,
        worker_poll_interval_seconds=0.0,
    )
    assert settings.zeebe_address is None
    app = create_app(settings)
    async with started(app) as running:
        services = running.services
        assert [e.name for e in services.engines] == ["camunda-rest"]
        job = gateway.add_job("switchboard:echo:1", {"a": 1}, {"resultVariable": "r"})
        await gateway.wait_for_state(job, "completed")
        transport = httpx.ASGITransport(app=running)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ready = await client.get("/health/ready")
    assert job.completed_variables == {"r": {"a": 1}}
    component = ready.json()["components"]["camunda-rest"]
    assert component["status"] == "up" and component["transport"] == "rest"
    assert "zeebe" not in ready.json()["components"]
