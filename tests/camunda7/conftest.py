"""Fixtures: the Camunda 7 stand-in, a loopback HTTP server for the REST connector, and the
Camunda 7 engine on the real runtime pointed at the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from app.engines.camunda7 import Camunda7Service
from app.runtime.control import PausedTypes
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.runtime.secrets_hook import StaticSecretResolver
from app.settings import Settings, load_settings
from connectors._http import aclose
from connectors.http_json import http_json
from connectors.sdk import OutboundConnector
from tests.conformance.http_server import HttpServer
from tests.support.camunda7 import Camunda7StandIn
from tests.zeebe import connectors as test_connectors

ENGINE_DEFAULTS: dict[str, Any] = {
    "camunda7_worker_id": "switchboard-test",
    "camunda7_async_response_timeout_ms": 1_000,
    "camunda7_lock_duration_ms": 10_000,
    "worker_reconnect_max_backoff_seconds": 0.3,
    "shutdown_grace_seconds": 5.0,
}


@pytest.fixture
async def engine() -> AsyncIterator[Camunda7StandIn]:
    async with Camunda7StandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="session")
def http_server() -> Iterator[HttpServer]:
    server = HttpServer().start()
    yield server
    server.stop()


def engine_settings(engine: Camunda7StandIn | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {**ENGINE_DEFAULTS, **overrides}
    if engine is not None:
        values.setdefault("camunda7_url", engine.address)
    return load_settings(_env_file=None, **values)


@dataclass
class Harness:
    engine: Camunda7StandIn
    service: Camunda7Service
    runtime: ConnectorRuntime
    history: MemoryHistorySink


Start = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_engine(engine: Camunda7StandIn) -> AsyncIterator[Start]:
    started: list[Harness] = []

    async def start(
        *,
        secrets: dict[str, str] | None = None,
        connectors: tuple[OutboundConnector, ...] = (http_json, *test_connectors.ALL),
        paused: PausedTypes | None = None,
        **overrides: Any,
    ) -> Harness:
        settings = engine_settings(engine, **overrides)
        history = MemoryHistorySink()
        runtime = ConnectorRuntime(
            {c.type: c for c in connectors},
            secrets=StaticSecretResolver(secrets or {}),
            history=history,
        )
        service = Camunda7Service(
            settings, runtime, ConnectorRegistry.of(*connectors), paused=paused
        )
        await service.start()
        harness = Harness(engine, service, runtime, history)
        started.append(harness)
        return harness

    test_connectors.GATE.reset()
    yield start
    test_connectors.GATE.open.set()
    for harness in started:
        await harness.service.stop()
        harness.runtime.close()
    await aclose()
