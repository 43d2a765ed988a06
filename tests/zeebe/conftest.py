"""Fixtures: a fresh test gateway per test and a pyzeebe adapter connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.job.job import Job

from app.engines.zeebe import ZeebeService
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.runtime.secrets_hook import StaticSecretResolver
from app.settings import Settings, load_settings
from connectors.echo import echo
from connectors.sdk import OutboundConnector
from tests.support.gateway import TestGateway
from tests.zeebe import connectors as test_connectors


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@pytest.fixture
async def adapter(gateway: TestGateway) -> AsyncIterator[ZeebeAdapter]:
    channel = grpc.aio.insecure_channel(gateway.address)
    yield ZeebeAdapter(channel, max_connection_retries=-1)
    await channel.close()


@dataclass
class Harness:
    """A started ZeebeService on the real runtime, pointed at the test gateway."""

    gateway: TestGateway
    service: ZeebeService
    runtime: ConnectorRuntime
    history: MemoryHistorySink


WORKER_DEFAULTS: dict[str, Any] = {
    "worker_name": "switchboard-test",
    "worker_request_timeout_seconds": 2.0,
    "worker_poll_interval_seconds": 0.0,
    "worker_reconnect_max_backoff_seconds": 0.3,
    "worker_health_interval_seconds": 0.2,
    "shutdown_grace_seconds": 5.0,
}


def worker_settings(gateway: TestGateway | None, **overrides: Any) -> Settings:
    values = {**WORKER_DEFAULTS, **overrides}
    if gateway is not None:
        values.setdefault("zeebe_address", gateway.address)
    return load_settings(_env_file=None, **values)


@pytest.fixture
async def start_worker(
    gateway: TestGateway,
) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    started: list[Harness] = []

    async def start(
        *,
        secrets: dict[str, str] | None = None,
        connectors: tuple[OutboundConnector, ...] = (echo, *test_connectors.ALL),
        **overrides: Any,
    ) -> Harness:
        settings = worker_settings(gateway, **overrides)
        history = MemoryHistorySink()
        runtime = ConnectorRuntime(
            {c.type: c for c in connectors},
            secrets=StaticSecretResolver(secrets or {}),
            history=history,
        )
        service = ZeebeService(settings, runtime, ConnectorRegistry.of(*connectors))
        await service.start()
        harness = Harness(gateway, service, runtime, history)
        started.append(harness)
        return harness

    test_connectors.GATE.reset()
    yield start
    test_connectors.GATE.open.set()
    for harness in started:
        await harness.service.stop()
        harness.runtime.close()


async def activate(
    adapter: ZeebeAdapter,
    type: str,
    *,
    max_jobs: int = 10,
    timeout_ms: int = 10_000,
    request_timeout_ms: int = -1,
    fetch: list[str] | None = None,
    worker: str = "tester",
) -> list[Job]:
    return [
        job
        async for job in adapter.activate_jobs(
            task_type=type,
            worker=worker,
            timeout=timeout_ms,
            max_jobs_to_activate=max_jobs,
            variables_to_fetch=fetch or [],
            request_timeout=request_timeout_ms,
        )
    ]
