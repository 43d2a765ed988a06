"""The engine protocol's process commands on the REST engine (POST /v2/deployments,
/v2/process-instances, /v2/messages/publication), over real HTTP to the stand-in; the REST
API's refusals become the engine error tree as the gRPC engine's do."""

from __future__ import annotations

import pytest

from app.engines.camunda_rest import CamundaRestService
from app.runtime.engine import (
    EngineNotConfiguredError,
    EngineRejectedError,
    EngineUnavailableError,
    InstanceToCreate,
    MessageToPublish,
    ProcessCommands,
    Resource,
)
from tests.camunda_rest.conftest import Start, rest_settings
from tests.camunda_rest.test_standin import bpmn
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway


async def test_deploy_then_create_an_instance_of_exactly_that_definition(
    gateway: TestGateway, start_engine: Start
) -> None:
    service = (await start_engine()).service
    assert isinstance(service, ProcessCommands)
    first = await service.deploy_resources([Resource("orders.bpmn", bpmn("orders"))])
    second = await service.deploy_resources([Resource("orders.bpmn", bpmn("orders"))])
    [v1], [v2] = first.processes, second.processes
    assert (v1.bpmn_process_id, v1.version, v2.version) == ("orders", 1, 2)
    assert v1.resource_name == "orders.bpmn" and first.tenant_id == "<default>"
    by_version = await service.create_process_instance(
        InstanceToCreate(bpmn_process_id="orders", version=1, variables={"n": 1})
    )
    by_key = await service.create_process_instance(
        InstanceToCreate(process_definition_key=v1.process_definition_key)
    )
    latest = await service.create_process_instance(InstanceToCreate(bpmn_process_id="orders"))
    assert (by_version.version, by_key.version, latest.version) == (1, 1, 2)
    assert by_version.process_definition_key == v1.process_definition_key
    assert gateway.instances[by_version.process_instance_key].variables == {"n": 1}


async def test_publish_message(gateway: TestGateway, start_engine: Start) -> None:
    service = (await start_engine()).service
    published = await service.publish_message(
        MessageToPublish("paid", "order-1", {"amount": 3}, message_id="m-1", time_to_live_ms=5000)
    )
    [message] = gateway.messages
    assert published.key > 0 and published.tenant_id == "<default>"
    assert (message.name, message.correlationKey, message.messageId) == ("paid", "order-1", "m-1")
    assert (message.timeToLive, message.variables) == (5000, '{"amount": 3}')


async def test_default_message_ttl_is_one_hour(gateway: TestGateway, start_engine: Start) -> None:
    service = (await start_engine()).service
    await service.publish_message(MessageToPublish("paid", "k"))
    assert gateway.messages[0].timeToLive == 3_600_000


async def test_refusals_become_engine_errors(start_engine: Start) -> None:
    service = (await start_engine()).service
    with pytest.raises(EngineRejectedError) as missing:
        await service.create_process_instance(InstanceToCreate(bpmn_process_id="nope", version=3))
    assert missing.value.reason == "NOT_FOUND" and "404" in missing.value.message
    with pytest.raises(EngineRejectedError) as invalid:
        await service.deploy_resources([Resource("broken.bpmn", b"<not-bpmn")])
    assert invalid.value.reason == "INVALID_ARGUMENT"
    with pytest.raises(EngineRejectedError) as not_json:
        await service.publish_message(MessageToPublish("m", "k", {"x": float("nan")}))
    assert not_json.value.reason == "INVALID_ARGUMENT"


async def test_unreachable_api_is_engine_unavailable(
    start_engine: Start, rest: CamundaRestStandIn
) -> None:
    service = (await start_engine()).service
    await rest.stop()
    with pytest.raises(EngineUnavailableError) as down:
        await service.publish_message(MessageToPublish("m", "k"))
    assert down.value.reason == "UNAVAILABLE"


async def test_not_configured_and_not_running() -> None:
    off = CamundaRestService(rest_settings(None), None, [])  # type: ignore[arg-type]
    with pytest.raises(EngineNotConfiguredError):
        await off.publish_message(MessageToPublish("m", "k"))
    idle = CamundaRestService(
        rest_settings(None, camunda_rest_address="http://127.0.0.1:9"),
        None,  # type: ignore[arg-type]
        [],
    )
    with pytest.raises(EngineUnavailableError):
        await idle.deploy_resources([Resource("a.bpmn", b"")])


async def test_create_an_instance_and_wait_for_its_result(
    gateway: TestGateway, start_engine: Start
) -> None:
    """awaitCompletion (process-instances.yaml): the answer carries the completed instance's
    variables, as CreateProcessInstanceWithResult does on gRPC (synchronous webhooks)."""
    service = (await start_engine()).service
    straight = (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<bpmn:process id="quick" isExecutable="true"><bpmn:startEvent id="s"/>'
        b'<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>'
        b"</bpmn:process></bpmn:definitions>"
    )
    await service.deploy_resources([Resource("quick.bpmn", straight)])
    created = await service.create_process_instance(
        InstanceToCreate(
            bpmn_process_id="quick",
            version=1,
            variables={"x": 1},
            await_result=True,
            request_timeout_ms=2000,
        )
    )
    assert created.variables == {"x": 1}
    assert gateway.instances[created.process_instance_key].state == "completed"
    plain = await service.create_process_instance(InstanceToCreate(bpmn_process_id="quick"))
    assert plain.variables is None
