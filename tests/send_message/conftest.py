"""Fixtures for the Send Message connector: the test gateway, the REST stand-in in front of it,
and Switchboard's engines on the real runtime with the connector registered: the gRPC engine
(with or without Camunda's REST API for correlations) and the REST engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from app.engines.camunda_rest import CamundaRestService
from app.engines.camunda_rest.process_commands import RestProcessCommands
from app.engines.zeebe.service import ZeebeService
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.runtime.secrets_hook import StaticSecretResolver
from app.settings import load_settings
from connectors.send_message import send_message
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway
from tests.zeebe.conftest import WORKER_DEFAULTS

# A process waiting at a message catch event for "paid" with the instance's orderId.
RECEIVER = b"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="r">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements>
    <zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="receiver" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>
    <bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/>
    </bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@pytest.fixture
async def adapter(gateway: TestGateway) -> AsyncIterator[ZeebeAdapter]:
    channel = grpc.aio.insecure_channel(gateway.address)
    yield ZeebeAdapter(channel, max_connection_retries=-1)
    await channel.close()


@pytest.fixture
async def rest(gateway: TestGateway) -> AsyncIterator[CamundaRestStandIn]:
    async with CamundaRestStandIn(gateway) as stand_in:
        yield stand_in


@dataclass
class Harness:
    service: ZeebeService | CamundaRestService
    runtime: ConnectorRuntime
    history: MemoryHistorySink


Start = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_engine(gateway: TestGateway) -> AsyncIterator[Start]:
    """``await start()``: the gRPC engine alone; ``start(rest=stand_in)``: the gRPC engine
    with correlations over the REST API (CAMUNDA_REST_ADDRESS set);
    ``start(rest=stand_in, transport="rest")``: the REST engine takes the jobs."""
    started: list[tuple[Harness, RestProcessCommands | None]] = []

    async def start(
        *,
        rest: CamundaRestStandIn | None = None,
        transport: str = "grpc",
        secrets: dict[str, str] | None = None,
    ) -> Harness:
        values: dict[str, Any] = {**WORKER_DEFAULTS, "job_transport": transport}
        if transport == "grpc":
            values["zeebe_address"] = gateway.address
        if rest is not None:
            values["camunda_rest_address"] = rest.address
        settings = load_settings(_env_file=None, **values)
        history = MemoryHistorySink()
        runtime = ConnectorRuntime(
            {send_message.type: send_message},
            secrets=StaticSecretResolver(secrets or {}),
            history=history,
        )
        registry = ConnectorRegistry.of(send_message)
        correlator = None
        service: ZeebeService | CamundaRestService
        if transport == "rest":
            service = CamundaRestService(settings, runtime, registry)
        else:
            if rest is not None:  # as app.services.start_services composes it
                correlator = RestProcessCommands.from_settings(settings)
            service = ZeebeService(settings, runtime, registry, correlator=correlator)
        await service.start()
        harness = Harness(service, runtime, history)
        started.append((harness, correlator))
        return harness

    yield start
    for harness, correlator in started:
        await harness.service.stop()
        harness.runtime.close()
        if correlator is not None:
            await correlator.aclose()


async def deploy(adapter: ZeebeAdapter, name: str, content: bytes) -> None:
    await adapter._gateway_stub.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name=name, content=content)])
    )


async def waiting_receiver(adapter: ZeebeAdapter, order_id: str) -> int:
    """Deploy the receiver (once per gateway is enough; again is harmless) and start one
    instance waiting for "paid" with ``order_id``; its key."""
    await deploy(adapter, "receiver.bpmn", RECEIVER)
    created = await adapter.create_process_instance("receiver", -1, {"orderId": order_id})
    return int(created.process_instance_key)
