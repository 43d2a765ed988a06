"""Process-definition discovery over the REST API (issue 13 point 1): the latest version of
every process, all pages, and each one's BPMN, through the SDK against the stand-in."""

from __future__ import annotations

import pytest
from camunda_orchestration_sdk import CamundaAsyncClient

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
    assert await source.definitions_with_subscriptions() is None


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
