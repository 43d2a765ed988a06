"""The engine protocol's process commands (app/runtime/engine.py) on the Zeebe adapter, over
real gRPC against the test gateway: deploy, create an instance of exactly one definition,
publish a message; gateway refusals become the engine error tree."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc
import pytest

from app.engines.zeebe import ZeebeService
from app.runtime.engine import (
    EngineNotConfiguredError,
    EngineRejectedError,
    EngineUnavailableError,
    InstanceToCreate,
    MessageToPublish,
    ProcessCommands,
    Resource,
)
from app.runtime.executor import ConnectorRuntime
from tests.support.gateway import TestGateway
from tests.zeebe.conftest import Harness, worker_settings

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="orders" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="orders:work:1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>
"""

Start = Callable[..., Awaitable[Harness]]


async def test_deploy_then_create_an_instance_of_that_definition(
    gateway: TestGateway, start_worker: Start
) -> None:
    service = (await start_worker()).service
    assert isinstance(service, ProcessCommands)
    first = await service.deploy_resources([Resource("orders.bpmn", BPMN)])
    second = await service.deploy_resources([Resource("orders.bpmn", BPMN)])
    [v1], [v2] = first.processes, second.processes
    assert (v1.bpmn_process_id, v1.version, v2.version) == ("orders", 1, 2)
    assert v1.resource_name == "orders.bpmn" and v1.tenant_id == "<default>"

    by_key = await service.create_process_instance(
        InstanceToCreate(process_definition_key=v1.process_definition_key, variables={"n": 1})
    )
    [call] = gateway.calls_to("CreateProcessInstance")
    assert call.request.processDefinitionKey == v1.process_definition_key
    assert by_key.process_definition_key == v1.process_definition_key
    assert gateway.instances[by_key.process_instance_key].variables == {"n": 1}

    by_version = await service.create_process_instance(
        InstanceToCreate(bpmn_process_id="orders", version=2)
    )
    assert by_version.version == 2


async def test_publish_message_sends_every_field(gateway: TestGateway, start_worker: Start) -> None:
    service = (await start_worker()).service
    published = await service.publish_message(
        MessageToPublish(
            name="paid",
            correlation_key="order-7",
            variables={"amount": 12.5},
            message_id="m-1",
            time_to_live_ms=60_000,
        )
    )
    [sent] = gateway.messages
    assert (sent.name, sent.correlationKey, sent.messageId, sent.timeToLive) == (
        "paid",
        "order-7",
        "m-1",
        60_000,
    )
    assert sent.variables == '{"amount":12.5}'
    assert published.key > 0


async def test_refusals_and_outages_become_engine_errors(
    gateway: TestGateway, start_worker: Start
) -> None:
    service = (await start_worker()).service
    with pytest.raises(EngineRejectedError) as missing:
        await service.create_process_instance(InstanceToCreate(bpmn_process_id="nope"))
    assert missing.value.reason == "NOT_FOUND"
    with pytest.raises(EngineRejectedError) as not_json:
        await service.publish_message(
            MessageToPublish(name="m", correlation_key="k", variables={"v": float("nan")})
        )
    assert not_json.value.reason == "INVALID_ARGUMENT"
    assert gateway.messages == []  # nothing invalid ever reached the gateway
    gateway.inject("PublishMessage", grpc.StatusCode.UNAVAILABLE)
    with pytest.raises(EngineUnavailableError):
        await service.publish_message(MessageToPublish(name="m", correlation_key="k"))


async def test_without_an_address_the_commands_say_so() -> None:
    service = ZeebeService(worker_settings(None), ConnectorRuntime({}), [])
    with pytest.raises(EngineNotConfiguredError, match="ZEEBE_ADDRESS"):
        await service.publish_message(MessageToPublish(name="m", correlation_key="k"))
