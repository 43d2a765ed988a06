"""Pausing and resuming a connector's workers (issue 19.5): the API, persistence, every
replica following the database, and the worker really stopping to take jobs from the test
gateway (no stream open, no activation waiting) until it is resumed."""

from __future__ import annotations

from typing import Any

import pytest

from app.db import controls
from tests.api.harness import client, running_app
from tests.support.app import StartedApp
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"

pytestmark = pytest.mark.timeout(120)


def _worker_options(gateway: TestGateway, name: str) -> dict[str, Any]:
    return {
        "zeebe_address": gateway.address,
        "worker_name": name,
        "worker_request_timeout_seconds": 2.0,
        "worker_poll_interval_seconds": 0.0,
        "worker_reconnect_max_backoff_seconds": 1.0,
        "shutdown_grace_seconds": 5.0,
    }


def _not_taking(gateway: TestGateway, worker: str) -> bool:
    """No open stream and no waiting ActivateJobs of ``worker`` for the echo type."""
    streams = [s for s in gateway.streams.get(ECHO, ()) if s.request.worker == worker]
    waiting = [
        c
        for c in gateway.calls_to("ActivateJobs")
        if c.code is None and c.request.type == ECHO and c.request.worker == worker
    ]
    return not streams and not waiting


def _taking(gateway: TestGateway, worker: str) -> bool:
    return any(s.request.worker == worker for s in gateway.streams.get(ECHO, ()))


async def _reset(app: StartedApp) -> None:
    await controls.set_paused(app.services.sessions, ECHO, False)


async def test_pause_and_resume_need_admin_and_a_known_type(
    app: StartedApp, keys: dict[str, str]
) -> None:
    for role in ("viewer", "operator"):
        async with client(app, keys[role]) as c:
            r = await c.post(f"/api/v1/connectors/{ECHO}/pause")
        assert r.status_code == 403, r.text
    async with client(app) as c:
        assert (await c.post(f"/api/v1/connectors/{ECHO}/pause")).status_code == 401
    async with client(app, keys["admin"]) as c:
        r = await c.post("/api/v1/connectors/no:such:1/pause")
        assert r.status_code == 404
        assert "no:such:1" in r.json()["detail"]
    assert not app.services.paused.is_paused(ECHO)


async def test_pause_is_persisted_listed_and_survives_a_restart(
    migrated: str, keys: dict[str, str], app: StartedApp
) -> None:
    try:
        async with client(app, keys["admin"]) as c:
            r = await c.post(f"/api/v1/connectors/{ECHO}/pause")
            assert r.status_code == 200, r.text
            assert r.json() == {"type": ECHO, "paused": True}
            listed = {e["type"]: e for e in (await c.get("/api/v1/connectors")).json()}
            assert listed[ECHO]["paused"] is True
            assert (await c.get(f"/api/v1/connectors/{ECHO}")).json()["paused"] is True
            # Test invocations still run: pausing stops the workers, not the connector.
            r = await c.post(f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"a": 1}})
            assert r.json()["command"] == "complete"
        assert await controls.paused_types(app.services.sessions) >= {ECHO}
        async with running_app(migrated) as restarted:
            assert restarted.services.paused.is_paused(ECHO)
        async with client(app, keys["admin"]) as c:
            r = await c.post(f"/api/v1/connectors/{ECHO}/resume")
            assert r.json() == {"type": ECHO, "paused": False}
            listed = {e["type"]: e for e in (await c.get("/api/v1/connectors")).json()}
            assert listed[ECHO]["paused"] is False
    finally:
        await _reset(app)


async def test_paused_worker_takes_no_jobs_until_resumed(
    migrated: str, keys: dict[str, str]
) -> None:
    async with TestGateway() as gateway:
        async with running_app(migrated, **_worker_options(gateway, "pause-one")) as app:
            try:
                await gateway.wait_for(lambda: _taking(gateway, "pause-one"), timeout=20)
                first = gateway.add_job(ECHO, {"n": 1}, {"resultVariable": "r"})
                await gateway.wait_for_state(first, "completed", timeout=20)

                async with client(app, keys["admin"]) as c:
                    r = await c.post(f"/api/v1/connectors/{ECHO}/pause")
                assert r.status_code == 200, r.text
                await gateway.wait_for(
                    lambda: _not_taking(gateway, "pause-one"), timeout=10, what="worker idle"
                )
                held = gateway.add_job(ECHO, {"n": 2}, {"resultVariable": "r"})
                # Whatever the worker does next, it is not taking the job: no call of its is
                # open, so none can deliver it; the loops wait for the resume.
                assert held.activations == 0 and _not_taking(gateway, "pause-one")
                assert app.services.paused.is_paused(ECHO)

                async with client(app, keys["admin"]) as c:
                    r = await c.post(f"/api/v1/connectors/{ECHO}/resume")
                assert r.status_code == 200
                await gateway.wait_for_state(held, "completed", timeout=20)
                assert held.completed_variables == {"r": {"n": 2}}
            finally:
                await _reset(app)


async def test_a_pause_through_one_replica_stops_the_other(
    migrated: str, keys: dict[str, str]
) -> None:
    async with TestGateway() as gateway:
        options = {**_worker_options(gateway, "replica-b")}
        async with (
            running_app(migrated) as replica_a,
            running_app(migrated, connector_control_refresh_seconds=0.2, **options) as replica_b,
        ):
            try:
                await gateway.wait_for(lambda: _taking(gateway, "replica-b"), timeout=20)
                async with client(replica_a, keys["admin"]) as c:
                    assert (await c.post(f"/api/v1/connectors/{ECHO}/pause")).status_code == 200
                await eventually(lambda: replica_b.services.paused.is_paused(ECHO), within=5)
                await gateway.wait_for(
                    lambda: _not_taking(gateway, "replica-b"), timeout=10, what="replica idle"
                )
                held = gateway.add_job(ECHO, {"n": 3}, {"resultVariable": "r"})
                assert held.activations == 0
                async with client(replica_a, keys["admin"]) as c:
                    assert (await c.post(f"/api/v1/connectors/{ECHO}/resume")).status_code == 200
                await gateway.wait_for_state(held, "completed", timeout=20)
            finally:
                await _reset(replica_a)
