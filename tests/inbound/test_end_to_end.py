"""Done-when of issue 13, end to end over real HTTP and real gRPC: a BPMN shaped by Camunda's
official webhook templates (applied as the modeler does), deployed through Switchboard, starts
an instance or publishes a message when its webhook is called.

Facts: camunda/connectors connectors/webhook HttpWebhookExecutable.java (the request context
``request.body``/``headers``/``params``), connector-runtime-core
inbound/correlation/InboundCorrelationHandler.java (start event: CreateProcessInstance by
bpmnProcessId and version; message events: PublishMessage with the evaluated correlation key
and message id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.inbound.conftest import Served
from tests.support.modeler import apply_inbound_template
from tests.templates.official import official_template

START = "io.camunda.connectors.webhook.WebhookConnector.v1"
INTERMEDIATE = "io.camunda.connectors.webhook.WebhookConnectorIntermediate.v1"

Serve = Callable[..., Awaitable[Served]]


async def test_a_start_event_webhook_starts_the_deployed_version_with_mapped_variables(
    serve: Serve,
) -> None:
    served = await serve()
    applied = apply_inbound_template(
        official_template(START),
        {"inbound.context": "orders", "resultExpression": "={orderId: request.body.id}"},
    )
    response = await served.deploy(("orders.bpmn", applied.bpmn("orders")))
    assert response.status_code == 200, response.text
    answer = response.json()
    [process] = answer["processes"]
    [element] = answer["inboundElements"]
    assert element == {
        "bpmnProcessId": "orders",
        "version": 1,
        "processDefinitionKey": process["processDefinitionKey"],
        "elementId": "inbound",
        "kind": "start_event",
        "type": "io.camunda:webhook:1",
        "webhookPath": "/inbound/orders",
        "state": "active",
        "error": None,
    }

    hook = await served.http.post("/inbound/orders", json={"id": 42, "noise": True})
    assert hook.status_code == 200, hook.text
    [call] = served.gateway.calls_to("CreateProcessInstance")
    assert (call.request.bpmnProcessId, call.request.version) == ("orders", 1)
    assert call.request.processDefinitionKey == 0  # by id and version, never "latest"
    [instance] = served.gateway.instances.values()
    assert instance.variables == {"orderId": 42}
    assert instance.state == "completed"


async def test_an_intermediate_catch_event_publishes_with_the_evaluated_key_and_id(
    serve: Serve,
) -> None:
    served = await serve()
    applied = apply_inbound_template(
        official_template(INTERMEDIATE),
        {
            "inbound.context": "payments",
            "correlationKeyProcess": "=orderId",
            "correlationKeyPayload": "=request.body.order",
            "messageIdExpression": "=request.body.txn",
            "messageTtl": "PT10M",
            "resultExpression": "={paid: request.body.amount}",
        },
    )
    response = await served.deploy(("pay.bpmn", applied.bpmn("pay")))
    assert response.status_code == 200, response.text
    [process] = response.json()["processes"]
    instance_key = await _start(served, process["processDefinitionKey"], {"orderId": "o-7"})

    hook = await served.http.post(
        "/inbound/payments", json={"order": "o-7", "txn": "t-1", "amount": 12}
    )
    assert hook.status_code == 200, hook.text
    [message] = served.gateway.messages
    assert (message.name, message.correlationKey, message.messageId, message.timeToLive) == (
        applied.message_name,
        "o-7",
        "t-1",
        600_000,
    )
    instance = served.gateway.instances[instance_key]
    assert instance.state == "completed"
    assert instance.variables == {"orderId": "o-7", "paid": 12}


async def _start(served: Served, key: int, variables: dict[str, object]) -> int:
    from app.runtime.engine import InstanceToCreate

    zeebe = served.app.services.engine("zeebe")
    created = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(process_definition_key=key, variables=variables)
    )
    return created.process_instance_key
