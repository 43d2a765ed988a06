"""The test gateway's messages behave as Zeebe's (camunda/camunda zeebe/engine
.../message/MessagePublishProcessor.java): a message id is unique per name, correlation key
and tenant while the message is buffered (ALREADY_EXISTS, "Expected to publish a new message
with id ..."); a message is buffered for its time to live and correlates to a subscription
opened later; TTL 0 is never buffered; a message reaches one instance per process; a process
without a none start event cannot be created by CreateProcessInstance."""

from __future__ import annotations

import time

import grpc
import pytest

from app.engines.zeebe.process_commands import ZeebeProcessCommands
from app.runtime.engine import EngineRejectedError, InstanceToCreate, MessageToPublish, Resource
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually

CATCH = b"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements>
    <zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>
    <bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/>
    </bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
MESSAGE_ONLY = b"""<bpmn:definitions
  xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:message id="m" name="go"/>
  <bpmn:process id="go" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
async def commands() -> object:
    async with TestGateway() as gateway:
        channel = grpc.aio.insecure_channel(gateway.address)
        from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

        yield gateway, ZeebeProcessCommands(GatewayStub(channel), 5.0)
        await channel.close()


async def test_message_id_uniqueness_while_buffered(commands: tuple) -> None:  # type: ignore[type-arg]
    gateway, zeebe = commands
    message = MessageToPublish("paid", "o-1", message_id="m-1", time_to_live_ms=60_000)
    await zeebe.publish_message(message)
    with pytest.raises(EngineRejectedError) as refused:
        await zeebe.publish_message(message)
    assert refused.value.reason == "ALREADY_EXISTS"
    assert "Expected to publish a new message with id 'm-1'" in refused.value.message
    # Another correlation key, or no id: a new message.
    await zeebe.publish_message(MessageToPublish("paid", "o-2", message_id="m-1"))
    await zeebe.publish_message(MessageToPublish("paid", "o-1", time_to_live_ms=60_000))
    # TTL 0 is never buffered, so its id can be published again at once.
    once = MessageToPublish("paid", "o-3", message_id="m-9", time_to_live_ms=0)
    await zeebe.publish_message(once)
    await zeebe.publish_message(once)
    assert gateway.buffered_ids().count("m-9") == 0


async def test_a_buffered_message_correlates_to_a_later_subscription(commands: tuple) -> None:  # type: ignore[type-arg]
    gateway, zeebe = commands
    [process] = (await zeebe.deploy_resources([Resource("pay.bpmn", CATCH)])).processes
    await zeebe.publish_message(
        MessageToPublish("paid", "o-1", {"amount": 3}, message_id="x", time_to_live_ms=60_000)
    )
    await zeebe.publish_message(MessageToPublish("paid", "o-2", time_to_live_ms=50))
    await eventually(
        lambda: all(
            m.deadline <= time.monotonic() for m in gateway.buffered if m.correlation_key == "o-2"
        ),
        what="the 50 ms time to live to pass",
    )
    key = process.process_definition_key
    first = await zeebe.create_process_instance(
        InstanceToCreate(process_definition_key=key, variables={"orderId": "o-1"})
    )
    second = await zeebe.create_process_instance(
        InstanceToCreate(process_definition_key=key, variables={"orderId": "o-1"})
    )
    expired = await zeebe.create_process_instance(
        InstanceToCreate(process_definition_key=key, variables={"orderId": "o-2"})
    )
    assert gateway.instances[first.process_instance_key].state == "completed"
    assert gateway.instances[first.process_instance_key].variables["amount"] == 3
    # One instance per process: the buffered message does not reach the second one.
    assert gateway.instances[second.process_instance_key].state == "active"
    assert gateway.instances[expired.process_instance_key].state == "active"


async def test_message_start_events_and_the_none_start_rule(commands: tuple) -> None:  # type: ignore[type-arg]
    gateway, zeebe = commands
    await zeebe.deploy_resources([Resource("go.bpmn", MESSAGE_ONLY)])
    await zeebe.publish_message(MessageToPublish("go", "", {"v": 1}))
    [instance] = gateway.instances.values()
    assert instance.variables == {"v": 1}
    with pytest.raises(EngineRejectedError) as refused:
        await zeebe.create_process_instance(InstanceToCreate(bpmn_process_id="go", version=1))
    assert refused.value.reason == "INVALID_ARGUMENT"
    assert "none start event" in refused.value.message
