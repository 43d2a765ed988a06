"""Fixtures: a test gateway with the REST stand-in in front of it, the REST engine on the real
runtime pointed at it, and a bare SDK client for asserting the stand-in's answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from camunda_orchestration_sdk import CamundaAsyncClient

from app.engines.camunda_rest import CamundaRestService
from app.engines.camunda_rest.client import create_client
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.runtime.secrets_hook import StaticSecretResolver
from app.settings import Settings, load_settings
from connectors.echo import echo
from connectors.sdk import OutboundConnector
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway
from tests.zeebe import connectors as test_connectors
from tests.zeebe.conftest import WORKER_DEFAULTS


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@pytest.fixture
async def rest(gateway: TestGateway) -> AsyncIterator[CamundaRestStandIn]:
    async with CamundaRestStandIn(gateway) as stand_in:
        yield stand_in


def rest_settings(rest: CamundaRestStandIn | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {**WORKER_DEFAULTS, "job_transport": "rest", **overrides}
    if rest is not None:
        values.setdefault("camunda_rest_address", rest.address)
    return load_settings(_env_file=None, **values)


@pytest.fixture
async def sdk(rest: CamundaRestStandIn) -> AsyncIterator[CamundaAsyncClient]:
    """Camunda's SDK client on the stand-in: its typed models parse every answer."""
    client = create_client(rest_settings(rest), read_timeout_seconds=10)
    yield client
    await client.aclose()


@dataclass
class Harness:
    gateway: TestGateway
    rest: CamundaRestStandIn
    service: CamundaRestService
    runtime: ConnectorRuntime
    history: MemoryHistorySink


Start = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_engine(gateway: TestGateway, rest: CamundaRestStandIn) -> AsyncIterator[Start]:
    started: list[Harness] = []

    async def start(
        *,
        secrets: dict[str, str] | None = None,
        connectors: tuple[OutboundConnector, ...] = (echo, *test_connectors.ALL),
        **overrides: Any,
    ) -> Harness:
        settings = rest_settings(rest, **overrides)
        history = MemoryHistorySink()
        runtime = ConnectorRuntime(
            {c.type: c for c in connectors},
            secrets=StaticSecretResolver(secrets or {}),
            history=history,
        )
        service = CamundaRestService(settings, runtime, ConnectorRegistry.of(*connectors))
        await service.start()
        harness = Harness(gateway, rest, service, runtime, history)
        started.append(harness)
        return harness

    test_connectors.GATE.reset()
    yield start
    test_connectors.GATE.open.set()
    for harness in started:
        await harness.service.stop()
        harness.runtime.close()
