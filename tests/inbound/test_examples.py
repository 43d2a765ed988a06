"""The example processes (examples/webhook-start.bpmn, examples/webhook-payment.bpmn,
examples/http-polling.bpmn) use only bindings of Camunda's official webhook and HTTP polling
templates, deploy through Switchboard and do what
docs/inbound.md says: a POST starts an instance with the mapped variables; a POST to the
payment webhook publishes the message with the evaluated correlation key and message id; the
polling example publishes its message once the polled resource says "delivered"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from app.inbound.bpmn import parse_processes
from app.runtime.engine import InstanceToCreate
from tests.connectors.servers import LoopbackServer, Reply
from tests.inbound.conftest import Served
from tests.support.waiting import eventually
from tests.templates.official import official_template

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Serve = Callable[..., Awaitable[Served]]


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("webhook-start.bpmn", "io.camunda.connectors.webhook.WebhookConnector.v1"),
        ("webhook-payment.bpmn", "io.camunda.connectors.webhook.WebhookConnectorIntermediate.v1"),
        ("http-polling.bpmn", "io.camunda.connectors.http.Polling"),
    ],
)
def test_examples_use_the_official_bindings(name: str, template: str) -> None:
    official = official_template(template)
    names = {
        p["binding"]["name"]
        for p in official["properties"]
        if p["binding"]["type"] == "zeebe:property"
    }
    [process] = parse_processes((EXAMPLES / name).read_bytes())
    [element] = process.elements
    assert element.template_id == official["id"]
    assert set(element.properties) <= names


async def test_the_start_example(serve: Serve) -> None:
    served = await serve()
    response = await served.deploy(
        ("webhook-start.bpmn", (EXAMPLES / "webhook-start.bpmn").read_bytes())
    )
    assert response.status_code == 200, response.text
    assert response.json()["inboundElements"][0]["webhookPath"] == "/inbound/order-received"
    hook = await served.http.post(
        "/inbound/order-received", json={"orderId": "A-1", "amount": 12.5, "x": 1}
    )
    assert hook.status_code == 200
    [instance] = served.gateway.instances.values()
    assert instance.variables == {"orderId": "A-1", "amount": 12.5}
    assert (await served.http.get("/inbound/order-received")).status_code == 405


async def test_the_payment_example(serve: Serve) -> None:
    served = await serve()
    response = await served.deploy(
        ("webhook-payment.bpmn", (EXAMPLES / "webhook-payment.bpmn").read_bytes())
    )
    [process] = response.json()["processes"]
    zeebe = served.app.services.engine("zeebe")
    waiting = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(
            process_definition_key=process["processDefinitionKey"], variables={"orderId": "A-1"}
        )
    )
    hook = await served.http.post(
        "/inbound/payment-received", json={"orderId": "A-1", "paymentId": "pay-9", "amount": 12.5}
    )
    assert hook.status_code == 200
    [message] = served.gateway.messages
    assert (message.name, message.correlationKey, message.messageId) == (
        "payment-received",
        "A-1",
        "pay-9",
    )
    instance = served.gateway.instances[waiting.process_instance_key]
    assert (instance.state, instance.variables) == ("completed", {"orderId": "A-1", "paid": 12.5})


async def test_the_polling_example(serve: Serve) -> None:
    server = LoopbackServer().start()
    try:
        server.routes["/shipment.json"] = lambda seen: Reply(
            200,
            {"shipmentId": "S-1", "status": "delivered", "deliveredAt": "2026-01-02"},
            [("Content-Type", "application/json")],
        )
        xml = (EXAMPLES / "http-polling.bpmn").read_text(encoding="utf-8")
        xml = xml.replace("http://127.0.0.1:8090", server.base).replace("PT5S", "PT0.05S")
        served = await serve()
        response = await served.deploy(("http-polling.bpmn", xml.encode()))
        assert response.status_code == 200, response.text
        [process] = response.json()["processes"]
        zeebe = served.app.services.engine("zeebe")
        waiting = await zeebe.create_process_instance(  # type: ignore[union-attr]
            InstanceToCreate(
                process_definition_key=process["processDefinitionKey"],
                variables={"shipmentId": "S-1"},
            )
        )
        instance = served.gateway.instances[waiting.process_instance_key]
        await eventually(lambda: instance.state == "completed", what="the instance to complete")
        assert instance.variables == {"shipmentId": "S-1", "deliveredAt": "2026-01-02"}
        [message] = served.gateway.messages
        assert (message.name, message.correlationKey) == ("shipment-delivered", "S-1")
    finally:
        server.stop()
