"""The inbound SDK's long-running model (connectors/sdk/inbound.py) and the discovery
interface (app/inbound/model.py DefinitionSource), through the real application: a
connector that correlates on its own, its bound properties (secrets resolved and masked,
FEEL-marked fields evaluated), health and activity log, and definitions arriving from a
discovery source (the latest version's start events only, as Camunda's
ProcessStateManagerImpl)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any
from xml.sax.saxutils import quoteattr

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from app.db.models import ExecutionRow
from app.inbound.model import DefinitionRef
from app.inbound.registry import InboundRegistry
from connectors.sdk.inbound import (
    FEEL,
    ActivationConditionNotMet,
    Correlated,
    CorrelationFailed,
    Health,
    InboundContext,
    inbound_connector,
)
from connectors.webhook import HttpWebhook
from tests.inbound.conftest import Served, clean_inbound, serve_app
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually

TOKEN = "t0ken-for-the-ticker-test"


class TickerInbound(BaseModel):
    token: str
    every: Annotated[int, FEEL]


class TickerProperties(BaseModel):
    inbound: TickerInbound


CONTEXTS: list[InboundContext] = []


@inbound_connector(name="Ticker", type="test:ticker:1", properties=TickerProperties)
class Ticker:
    async def activate(self, context: InboundContext) -> None:
        self.props = context.bind(TickerProperties).inbound
        CONTEXTS.append(context)
        context.report_health(Health.up(every=self.props.every))


def bpmn(process_id: str, element: str, extra: str = "") -> bytes:
    props = {
        "inbound.type": "test:ticker:1",
        "inbound.token": "{{secrets.TICKER_TOKEN}}",
        "inbound.every": "=2 * 3",
        "activationCondition": "=tick > 0",
        "consumeUnmatchedEvents": "false",
        "resultExpression": "={tick: tick}",
        "correlationKeyExpression": '="k-" + string(tick)',
    }
    properties = "".join(
        f'<zeebe:property name="{k}" value={quoteattr(v)}/>' for k, v in props.items()
    )
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">'
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        f'<bpmn:{element} id="tick"><bpmn:extensionElements><zeebe:properties>{properties}'
        f"</zeebe:properties></bpmn:extensionElements>{extra}</bpmn:{element}>"
        "</bpmn:process></bpmn:definitions>"
    ).encode()


@pytest.fixture
async def ticking(clean_db: str, gateway: TestGateway) -> AsyncIterator[Served]:
    os.environ["SECRET_TICKER_TOKEN"] = TOKEN
    CONTEXTS.clear()
    options = {"inbound_registry": InboundRegistry([HttpWebhook, Ticker])}
    async with serve_app(clean_db, gateway, app_options=options) as served:
        yield served
    os.environ.pop("SECRET_TICKER_TOKEN", None)


async def test_a_long_running_connector_correlates_on_its_own(ticking: Served) -> None:
    response = await ticking.deploy(("t.bpmn", bpmn("ticks", "startEvent")))
    assert response.status_code == 200, response.text
    [context] = CONTEXTS
    assert context.properties["inbound"]["token"] == TOKEN  # resolved for the connector
    [element] = await ticking.inbound()
    assert element["health"] == {"status": "UP", "details": {"every": 6}}  # FEEL evaluated
    assert TOKEN not in json.dumps(element)

    result = await context.correlate({"tick": 3, "leak": TOKEN})
    assert isinstance(result, Correlated) and result.kind == "instance_created"
    [instance] = ticking.gateway.instances.values()
    assert instance.variables == {"tick": 3}
    unmatched = await context.correlate({"tick": 0})
    assert unmatched == ActivationConditionNotMet(consume=False)

    async def rows() -> list[ExecutionRow] | None:
        async with ticking.app.services.sessions() as session:
            found = (
                await session.scalars(
                    select(ExecutionRow)
                    .where(ExecutionRow.connector_type == "test:ticker:1")
                    .order_by(ExecutionRow.started_at)
                )
            ).all()
        return list(found) if len(found) == 2 else None

    first, second = await eventually(rows)
    assert (first.source, first.direction, first.command) == ("inbound", "inbound", "correlated")
    assert first.process_instance_key == instance.key
    assert first.element_id == "tick" and first.bpmn_process_id == "ticks"
    assert TOKEN not in json.dumps(first.input) and "***" in json.dumps(first.input)
    assert second.command == "unmatched"
    assert [a["tag"] for a in (await ticking.inbound())[0]["activity"]][-2:] == [
        "Correlation",
        "Correlation",
    ]


async def test_a_missing_secret_fails_the_element_with_camunda_s_message(
    ticking: Served,
) -> None:
    os.environ.pop("SECRET_TICKER_TOKEN", None)
    response = await ticking.deploy(("t.bpmn", bpmn("nosecret", "startEvent")))
    [element] = response.json()["inboundElements"]
    assert (element["state"], element["error"]) == (
        "failed",
        "Secret with name 'TICKER_TOKEN' is not available",
    )


async def test_engine_down_is_a_failed_correlation_not_an_exception(
    ticking: Served,
) -> None:
    await ticking.deploy(("t.bpmn", bpmn("down", "startEvent")))
    [context] = CONTEXTS
    await ticking.gateway.stop()
    result = await context.correlate({"tick": 1})
    assert isinstance(result, CorrelationFailed)
    assert (result.reason, result.status, result.retryable) == ("ENGINE", "UNAVAILABLE", True)


class Source:
    """A discovery source standing in for the Orchestration Cluster REST API."""

    name = "test-source"

    def __init__(self) -> None:
        self.latest: list[DefinitionRef] = []
        self.documents: dict[int, bytes] = {}
        self.subscribed: set[int] | None = None
        self.known: dict[int, DefinitionRef] = {}

    async def latest_definitions(self) -> Sequence[DefinitionRef]:
        return list(self.latest)

    async def definitions_with_subscriptions(self) -> set[int] | None:
        return self.subscribed

    async def xml(self, definition: DefinitionRef) -> bytes:
        return self.documents[definition.process_definition_key]

    async def definition(self, key: int) -> DefinitionRef:
        return self.known[key]


async def test_definitions_from_a_discovery_source(inbound_db: str) -> None:
    await clean_inbound(inbound_db)
    source = Source()
    v1 = DefinitionRef(7001, "found", 1)
    source.latest, source.documents[7001] = [v1], bpmn("found", "startEvent")
    options: dict[str, Any] = {
        "inbound_registry": InboundRegistry([HttpWebhook, Ticker]),
        "definition_sources": (source,),
    }
    async with (
        TestGateway() as gateway,
        serve_app(inbound_db, gateway, app_options=options) as served,
    ):

        async def versions() -> list[int]:
            return [e["version"] for e in await served.inbound()]

        assert await eventually(versions) == [1]
        # Version 2 has no inbound start event: version 1's stops being served.
        v2 = DefinitionRef(7002, "found", 2)
        source.latest = [v2]
        source.documents[7002] = (
            b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
            b'<bpmn:process id="found"/></bpmn:definitions>'
        )

        async def none_left() -> bool:
            return await versions() == []

        await eventually(none_left)
