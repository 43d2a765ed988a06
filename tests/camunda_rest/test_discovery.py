"""Process-definition discovery over the REST API (issue 13 point 1): the latest version of
every process, all pages, and each one's BPMN, through the SDK against the stand-in."""

from __future__ import annotations

import io

import pytest
from camunda_orchestration_sdk import CamundaAsyncClient
from camunda_orchestration_sdk.models import CreateDeploymentData
from camunda_orchestration_sdk.types import File

from app.engines.camunda_rest import RestDefinitionSource
from app.inbound.model import DefinitionRef, DefinitionSource
from app.runtime.engine import EngineRejectedError, EngineUnavailableError
from tests.camunda_rest.test_standin import bpmn, deploy
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway


async def test_latest_definitions_across_pages_with_their_xml(
    gateway: TestGateway, rest: CamundaRestStandIn, sdk: CamundaAsyncClient
) -> None:
    await deploy(sdk, "a", "b", "c")
    await deploy(sdk, "b")
    source = RestDefinitionSource(sdk, page_size=2)
    found = await source.latest_definitions()
    assert sorted((d.bpmn_process_id, d.version) for d in found) == [("a", 1), ("b", 2), ("c", 1)]
    b2 = next(d for d in found if d.bpmn_process_id == "b")
    assert isinstance(source, DefinitionSource)
    assert b2 == DefinitionRef(gateway.processes["b"].key, "b", 2, "<default>", "b.bpmn")
    assert await source.xml(b2) == bpmn("b")
    assert await source.xml(b2.process_definition_key) == bpmn("b")
    searches = rest.calls_to("POST", "/process-definitions/search")
    assert len(searches) == 2  # two pages of two
    assert searches[0].body["filter"] == {"isLatestVersion": True}
    assert "after" not in searches[0].body["page"]
    assert searches[1].body["page"]["after"] and searches[1].body["page"]["limit"] == 2
    assert await source.definitions_with_subscriptions() == set()  # nobody waits anywhere


async def test_errors_are_engine_errors(
    gateway: TestGateway, rest: CamundaRestStandIn, sdk: CamundaAsyncClient
) -> None:
    source = RestDefinitionSource(sdk)
    with pytest.raises(EngineRejectedError) as missing:
        await source.xml(99)
    assert missing.value.reason == "NOT_FOUND"
    gateway.required_token = "t"
    with pytest.raises(EngineRejectedError) as refused:
        await source.latest_definitions()
    assert refused.value.reason == "UNAUTHENTICATED"
    await rest.stop()
    with pytest.raises(EngineUnavailableError):
        await source.latest_definitions()


async def test_versions_with_open_message_subscriptions(
    gateway: TestGateway, rest: CamundaRestStandIn, sdk: CamundaAsyncClient
) -> None:
    """camunda/connectors connector-runtime-spring inbound/search/SearchQueryClientImpl
    ``queryMessageSubscriptionStatistics``: state CREATED, paged forward."""
    waiting = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">'
        '<bpmn:message id="m" name="go"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message>'
        '<bpmn:process id="{id}" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c"/>'
        '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:intermediateCatchEvent></bpmn:process></bpmn:definitions>"
    )
    keys = []
    for process in ("w1", "w2", "w3"):
        result = await sdk.create_deployment(
            data=CreateDeploymentData(
                resources=[
                    File(
                        payload=io.BytesIO(waiting.format(id=process).encode()),
                        file_name=f"{process}.bpmn",
                    )
                ]
            )
        )
        keys.append(int(result.deployments[0].process_definition.process_definition_key))
    for key in keys[:2]:
        gateway._create_instance(gateway.definitions[key], {"k": "x"})
    source = RestDefinitionSource(sdk, page_size=1)
    assert await source.definitions_with_subscriptions() == set(keys[:2])
    assert len(rest.calls_to("POST", "/statistics/message-subscriptions")) == 3  # 1 + 1 + 0
    one = await source.definition(keys[0])
    assert (one.bpmn_process_id, one.version, one.process_definition_key) == ("w1", 1, keys[0])


async def test_a_cluster_without_subscription_statistics_keeps_older_versions(
    rest: CamundaRestStandIn, sdk: CamundaAsyncClient
) -> None:
    """A cluster that answers 404 to the statistics endpoint: None (older versions' message
    elements stay active)."""
    rest.app.router.routes = [
        r for r in rest.app.router.routes if "statistics" not in getattr(r, "path", "")
    ]
    source = RestDefinitionSource(sdk)
    assert await source.definitions_with_subscriptions() is None
    assert await source.definitions_with_subscriptions() is None
