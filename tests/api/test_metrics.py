"""Prometheus metrics: invocations, durations, in-flight jobs, history and gateway gauges."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.api.harness import client, running_app
from tests.support.app import StartedApp
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_invocations_are_counted_by_type_command_and_source(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["operator"]) as c:
        for variables in ({}, {}, {"fail_code": "E1"}):
            await c.post(f"/api/v1/connectors/{ECHO}/invoke", json={"variables": variables})
        samples = _samples((await c.get("/metrics")).text)
    labels = (("command", "complete"), ("source", "rest"), ("type", ECHO))
    assert samples[("switchboard_invocations_total", labels)] == 2
    fail = (("command", "fail"), ("source", "rest"), ("type", ECHO))
    assert samples[("switchboard_invocations_total", fail)] == 1
    count = (("command", "complete"), ("type", ECHO))
    assert samples[("switchboard_invocation_duration_seconds_count", count)] == 2
    assert samples[("switchboard_jobs_in_flight", (("source", "rest"), ("type", ECHO)))] == 0
    gateway = {
        k[1][0][1]: v for k, v in samples.items() if k[0] == "switchboard_gateway_connection_state"
    }
    assert gateway == {"connected": 0, "connecting": 0, "disconnected": 0, "disabled": 1}


async def test_jobs_in_flight_while_an_invocation_runs(
    app: StartedApp, keys: dict[str, str]
) -> None:
    import asyncio

    async with client(app, keys["operator"]) as c:
        slow = asyncio.create_task(
            c.post(f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"sleep_ms": 1500}})
        )

        async def in_flight() -> bool:
            text = (await c.get("/metrics")).text
            return bool(
                re.search(
                    r'switchboard_jobs_in_flight\{source="rest",type="switchboard:echo:1"\} 1\.0',
                    text,
                )
            )

        await eventually(in_flight, within=5)
        assert (await slow).status_code == 200
        assert not await in_flight()


async def test_history_writer_counters_are_exposed(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as c:
        await c.post(f"/api/v1/connectors/{ECHO}/invoke", json={})

        async def written() -> float:
            samples = _samples((await c.get("/metrics")).text)
            return samples.get(("switchboard_history_written_rows_total", ()), 0)

        assert await eventually(written) >= 1
        samples = _samples((await c.get("/metrics")).text)
    assert samples[("switchboard_history_queue_depth", ())] == app.services.history.queue_depth
    assert samples[("switchboard_history_dropped_rows_total", ())] == app.services.history.dropped


async def _gateway_is(c: httpx.AsyncClient, state: str) -> bool:
    samples = _samples((await c.get("/metrics")).text)
    return samples.get(("switchboard_gateway_connection_state", (("state", state),))) == 1


async def test_zeebe_jobs_and_gateway_state(migrated: str) -> None:
    """With the worker on the test gateway: connected state, zeebe jobs counted."""
    from tests.support.gateway import TestGateway

    async with TestGateway() as gateway:
        async with running_app(
            migrated,
            zeebe_address=gateway.address,
            worker_name="switchboard-metrics-test",
            worker_request_timeout_seconds=2.0,
            worker_poll_interval_seconds=0.0,
            worker_health_interval_seconds=0.2,
            shutdown_grace_seconds=5.0,
        ) as app:
            async with client(app) as c:
                await eventually(lambda: _gateway_is(c, "connected"))
                job = gateway.add_job(ECHO, {"from": "zeebe"})
                await gateway.wait_for_state(job, "completed")

                async def counted() -> float:
                    samples = _samples((await c.get("/metrics")).text)
                    labels = (("command", "complete"), ("source", "zeebe"), ("type", ECHO))
                    return samples.get(("switchboard_invocations_total", labels), 0)

                assert await eventually(counted) == 1
                await gateway.stop()
                await eventually(lambda: _gateway_is(c, "disconnected"))
