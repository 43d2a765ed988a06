"""HTTP polling per waiting process instance (connectors/http_polling/instances.py), as
Camunda's runtime does it when the Orchestration Cluster REST API is configured: a BPMN shaped
by the official polling templates (npm @camunda/connectors-element-templates
``http-polling-connector.json``, ``http-polling-boundary-catch-event-connector.json``),
deployed through Switchboard to the test gateway (real gRPC), the waiting tokens and their
variables read from the REST stand-in (real HTTP), the polled resource a real HTTP server.

Facts from camunda/connectors:
- connectors/http/polling ``task/ProcessInstancesFetcherTask.java``: every
  ``processPollingInterval`` the element's tokens are looked up, a request task is started for
  each new one and cancelled for each one gone; health UP with ``Process instances`` = their
  number, DOWN with the error when the look-up fails;
- ``task/HttpRequestTask.java``: every ``httpRequestInterval`` the request's properties are
  bound for the token and the response is correlated; an error is logged, polling goes on;
- connector-runtime-core ``inbound/InboundIntermediateConnectorContextImpl.java``: a
  boundary event's tokens are those of the activity it is attached to;
  ``DefaultProcessInstanceContext.java``: FEEL in the token's scope, message id
  ``elementId + elementInstanceKey``;
- connector-runtime-spring ``inbound/search/SearchQueryClientImpl.java``:
  ``POST /v2/element-instances/search`` with processDefinitionKey, elementId, state ACTIVE.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from app.runtime.engine import InstanceToCreate
from tests.connectors.servers import LoopbackServer, Reply, Seen
from tests.inbound.conftest import Served, serve_app
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway
from tests.support.modeler import AppliedInboundTemplate, apply_inbound_template
from tests.support.waiting import eventually
from tests.templates.official import official_template

INTERMEDIATE = "io.camunda.connectors.http.Polling"
BOUNDARY = "io.camunda.connectors.http.Polling.Boundary"


class Orders:
    """The polled resource: ``/orders/<id>`` answers that order's status."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.lock = threading.Lock()
        self.status: dict[str, str] = {}

    def __call__(self, seen: Seen) -> Reply:
        order = seen.path.rsplit("/", 1)[-1]
        with self.lock:
            status = self.status.get(order)
        body = {"order": order, "status": status, "echo": seen.json() if seen.body else None}
        return Reply(200, body, [("Content-Type", "application/json")])

    def set(self, order: str, status: str) -> None:
        with self.lock:
            self.status[order] = status
        self.server.routes[f"/orders/{order}"] = self


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def orders(server: LoopbackServer) -> Orders:
    return Orders(server)


@pytest.fixture
async def rest(gateway: TestGateway) -> AsyncIterator[CamundaRestStandIn]:
    async with CamundaRestStandIn(gateway) as stand_in:
        yield stand_in


@pytest.fixture
async def served(
    clean_db: str, gateway: TestGateway, rest: CamundaRestStandIn
) -> AsyncIterator[Served]:
    async with serve_app(clean_db, gateway, camunda_rest_address=rest.address) as served:
        yield served


def polling_element(
    server: LoopbackServer, template: str = INTERMEDIATE, **values: Any
) -> AppliedInboundTemplate:
    defaults = {
        "url": f'="{server.url("/orders")}/" + orderId',
        "httpRequestInterval": "PT0.05S",
        "activationCondition": '=response.body.status = "done"',
        "correlationKeyProcess": "=orderId",
        "correlationKeyPayload": "=response.body.order",
        "resultExpression": "={state: response.body.status}",
    }
    applied = apply_inbound_template(official_template(template), {**defaults, **values})
    # The template writes processPollingInterval hidden as PT5S; a test cannot wait that long.
    applied.properties["processPollingInterval"] = "PT0.05S"
    return applied


async def deploy(served: Served, applied: AppliedInboundTemplate, process_id: str) -> int:
    response = await served.deploy((f"{process_id}.bpmn", applied.bpmn(process_id)))
    assert response.status_code == 200, response.text
    [process] = response.json()["processes"]
    [element] = response.json()["inboundElements"]
    assert element["state"] == "active", element
    return int(process["processDefinitionKey"])


async def start(served: Served, key: int, variables: dict[str, Any]) -> int:
    zeebe = served.app.services.engine("zeebe")
    created = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(process_definition_key=key, variables=variables)
    )
    return created.process_instance_key


async def health(served: Served) -> dict[str, Any]:
    [element] = await served.inbound()
    return dict(element["health"])


async def test_each_waiting_instance_is_polled_with_its_own_variables(
    served: Served, server: LoopbackServer, orders: Orders, gateway: TestGateway
) -> None:
    orders.set("o-1", "pending")
    orders.set("o-2", "pending")
    key = await deploy(served, polling_element(server), "shipment")
    first = await start(served, key, {"orderId": "o-1"})
    second = await start(served, key, {"orderId": "o-2"})

    await eventually(
        lambda: server.requests_to("/orders/o-1") and server.requests_to("/orders/o-2"),
        what="a request per waiting instance, each with its own orderId",
    )
    assert gateway.messages == []
    assert (await eventually(lambda: _waiting(served, 2))) is True

    token = gateway.instances[second].element_instance_key
    orders.set("o-2", "done")
    await eventually(lambda: gateway.messages, what="the message for o-2")
    [message] = gateway.messages
    # DefaultProcessInstanceContext.correlate: elementId + elementInstanceKey, no separator.
    assert (message.correlationKey, message.messageId) == ("o-2", f"inbound{token}")
    assert json.loads(message.variables) == {"state": "done"}
    assert gateway.instances[second].state == "completed"
    assert gateway.instances[first].state == "active"
    # The token is gone: the next look-up counts one instance waiting.
    assert (await eventually(lambda: _waiting(served, 1))) is True

    orders.set("o-1", "done")
    await eventually(lambda: gateway.instances[first].state == "completed", what="o-1 done")
    assert sorted(m.correlationKey for m in gateway.messages) == ["o-1", "o-2"]


async def _waiting(served: Served, count: int) -> bool | None:
    found = await health(served)
    if found.get("status") == "UP" and found.get("details") == {"Process instances": count}:
        return True
    return None


async def test_a_boundary_event_polls_for_the_tokens_of_its_activity(
    served: Served,
    server: LoopbackServer,
    orders: Orders,
    gateway: TestGateway,
    rest: CamundaRestStandIn,
) -> None:
    orders.set("o-9", "done")
    applied = polling_element(server, BOUNDARY, method="POST", body='={"order": orderId}')
    key = await deploy(served, applied, "escalation")
    instance_key = await start(served, key, {"orderId": "o-9"})

    await eventually(lambda: gateway.messages, what="the boundary event's message")
    [message] = gateway.messages
    [task_job] = [j for j in gateway.jobs.values() if j.process_instance_key == instance_key]
    assert message.correlationKey == "o-9"
    [request] = server.requests_to("/orders/o-9")[:1]
    assert (request.method, request.json()) == ("POST", {"order": "o-9"})
    assert gateway.instances[instance_key].state == "completed"
    assert task_job.state == "canceled"  # the boundary event cancelled the waiting task's job
    searches = [c.body for c in rest.calls_to("POST", "/element-instances/search") if c.body]
    assert {"processDefinitionKey": str(key), "elementId": "wait", "state": "ACTIVE"} in [
        body.get("filter") for body in searches
    ]


async def test_whole_variable_values_reach_the_request(
    served: Served, server: LoopbackServer, orders: Orders, gateway: TestGateway
) -> None:
    """The variable search truncates long values unless asked not to (truncateValues)."""
    orders.set("o-3", "done")
    note = "x" * 20_000
    applied = polling_element(server, method="POST", body="={note: note}")
    key = await deploy(served, applied, "long")
    await start(served, key, {"orderId": "o-3", "note": note})
    await eventually(lambda: gateway.messages, what="the message")
    [request] = server.requests_to("/orders/o-3")[:1]
    assert request.json() == {"note": note}


async def test_a_failed_look_up_reports_down_and_recovers(
    served: Served,
    server: LoopbackServer,
    orders: Orders,
    gateway: TestGateway,
    rest: CamundaRestStandIn,
) -> None:
    orders.set("o-4", "pending")
    key = await deploy(served, polling_element(server), "flaky")
    await start(served, key, {"orderId": "o-4"})
    assert (await eventually(lambda: _waiting(served, 1))) is True

    await rest.stop()

    async def down() -> dict[str, Any] | None:
        found = await health(served)
        return found if found.get("status") == "DOWN" else None

    found = await eventually(down, what="health DOWN while the REST API is away")
    assert "the element instances of 'inbound' could not be listed" in found["error"]

    await rest.start()
    assert (await eventually(lambda: _waiting(served, 1))) is True
    orders.set("o-4", "done")
    await eventually(lambda: gateway.messages, what="the message after recovery")


async def test_a_request_that_cannot_be_bound_is_logged_and_polling_goes_on(
    served: Served, server: LoopbackServer, orders: Orders, gateway: TestGateway
) -> None:
    """An instance without ``orderId``: its URL is null, the binding error is an ERROR
    activity entry (HttpRequestTask logs it) and the other instance is served."""
    orders.set("o-5", "done")
    key = await deploy(served, polling_element(server), "partial")
    await start(served, key, {"somethingElse": 1})
    await start(served, key, {"orderId": "o-5"})
    await eventually(lambda: gateway.messages, what="the message for o-5")
    [element] = await served.inbound()
    errors = [a for a in element["activity"] if a["severity"] == "ERROR"]
    assert errors and all(a["tag"] == "http-request" for a in errors), errors
    assert "Error binding properties for HTTP request" in errors[0]["message"]
    assert "url" in errors[0]["message"]
