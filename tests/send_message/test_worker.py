"""Send Message jobs shaped by Camunda's official template
(``io.camunda.connectors.message.sendtask.v1``, newest version, applied by the modeler
stand-in), run by Switchboard's engines over real gRPC (and real HTTP for the REST API)
against the test gateway; the tests assert the command the gateway received.

Camunda facts:
- camunda/connectors ``connectors/camunda-message/src/main/java/io/camunda/connector/message/
  SendMessageConnectorFunction.java``: a blank correlation key publishes without one; message
  id, variables, time to live, tenant and request timeout are set only when given; publish
  returns the client's ``PublishMessageResponse``, correlate its ``CorrelateMessageResponse``;
  ``SendMessageRequest.java``: the inputs and the ``correlationType`` union.
- camunda/camunda ``clients/java/src/main/java/io/camunda/client/impl/response/
  PublishMessageResponseImpl.java`` (getters ``messageKey``, ``tenantId``) and
  ``CorrelateMessageResponseImpl.java`` (plus ``processInstanceKey``): the result shape as
  Jackson writes it, keys as numbers.
- camunda/camunda ``zeebe/engine/.../message/MessagePublishProcessor.java``: a message id
  still buffered for the same name, correlation key and tenant is refused with
  ALREADY_EXISTS; Camunda's client raises ``ClientStatusException`` whose message is the
  status description, and the connector runtime fails the job as for any exception
  (retries - 1, the task's backoff, no error code: ``connector-runtime/connector-runtime-
  spring/.../outbound/job/OutboundConnectorExceptionHandler.java``).
- camunda-docs ``versioned_docs/version-8.7/components/connectors/out-of-the-box-connectors/
  message-send.md``: correlate calls the REST API's "Correlate a message"
  (``POST /v2/messages/correlation``); gRPC has no such command.
"""

from __future__ import annotations

import json
from typing import Any

import grpc
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter

from connectors.sdk.messages import CLIENT_STATUS_EXCEPTION, PROBLEM_EXCEPTION
from connectors.send_message import TYPE
from tests.send_message.conftest import Start, deploy, waiting_receiver
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import COMPLETED, ERROR_THROWN, INCIDENT, GatewayJob, TestGateway
from tests.support.modeler import apply_template
from tests.templates.official import official_template

TEMPLATE = "io.camunda.connectors.message.sendtask.v1"


async def run_modelled(
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    values: dict[str, Any],
    variables: dict[str, Any] | None = None,
    process_id: str = "sender",
) -> GatewayJob:
    """Apply the official template, deploy, start an instance; the sender's job, once final
    or failed."""
    applied = apply_template(official_template(TEMPLATE), values)
    assert applied.job_type == TYPE
    await deploy(adapter, f"{process_id}.bpmn", applied.bpmn(process_id))
    await adapter.create_process_instance(process_id, -1, variables or {})
    return await gateway.wait_for(
        lambda: next(
            (
                j
                for j in gateway.jobs.values()
                if j.bpmn_process_id == process_id
                and (j.state in (COMPLETED, INCIDENT, ERROR_THROWN) or j.failures)
            ),
            None,
        ),
        timeout=15,
        what="the send-message job to finish",
    )


async def test_a_modelled_publish_reaches_the_receiver_with_camundas_result(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    await start_engine()
    receiver = await waiting_receiver(adapter, "o-1")
    job = await run_modelled(
        gateway,
        adapter,
        {
            "messageName": "paid",
            "correlationKey": "=orderId",
            "variables": "={amount: amount, paid: true}",
            "correlationType.type": "publish",
            "correlationType.timeToLive": "PT1M",
            "correlationType.messageId": '="payment-" + orderId',
            "resultVariable": "sent",
        },
        {"orderId": "o-1", "amount": 5},
    )
    assert job.state == COMPLETED, job.failures
    # The template's hidden bindings and defaults reached the job as the modeler writes them.
    assert job.variables["correlationType"] == {
        "type": "publish",
        "timeToLive": "PT1M",
        "messageId": "payment-o-1",
    }
    assert job.custom_headers["elementTemplateId"] == "io.camunda.connectors.message.v1"
    # Exactly the PublishMessage Camunda's connector sends.
    request = gateway.messages[-1]
    assert request.name == "paid"
    assert request.correlationKey == "o-1"
    assert request.timeToLive == 60_000
    assert request.messageId == "payment-o-1"
    assert json.loads(request.variables) == {"amount": 5, "paid": True}
    assert request.tenantId == ""
    # Camunda's result shape; the message reached the waiting instance.
    message_key, instance, _ = gateway.correlations[-1]
    assert instance == receiver
    assert job.completed_variables == {"sent": {"messageKey": message_key, "tenantId": "<default>"}}
    assert gateway.instances[receiver].variables["paid"] is True


async def test_blank_key_and_no_options_publish_with_the_defaults(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    """Without a correlation key (a message start event), id, payload or TTL: no key, no id,
    Zeebe's default time to live (the Java client's one hour)."""
    await start_engine()
    job = await run_modelled(
        gateway,
        adapter,
        {"messageName": "go", "correlationKey": "   ", "resultExpression": "={key: messageKey}"},
    )
    assert job.state == COMPLETED, job.failures
    request = gateway.messages[-1]
    assert (request.name, request.correlationKey, request.messageId) == ("go", "", "")
    assert request.timeToLive == 3_600_000
    assert json.loads(request.variables or "{}") == {}
    assert isinstance(job.completed_variables["key"], int)


async def test_a_duplicate_message_id_fails_as_camundas_connector_does(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    await start_engine()
    values = {
        "messageName": "paid",
        "correlationKey": "o-7",
        "correlationType.timeToLive": "PT10M",
        "correlationType.messageId": "once",
    }
    first = await run_modelled(gateway, adapter, values, process_id="first")
    assert first.state == COMPLETED
    second = await run_modelled(gateway, adapter, values, process_id="second")
    assert second.state != COMPLETED
    failure = second.failures[0]
    # ClientStatusException: the status description; any exception costs one retry, with the
    # template's backoff, and carries no error code.
    assert failure.retries == 2
    assert failure.backoff_ms == 30_000
    error = failure.variables["error"]
    assert error["type"] == CLIENT_STATUS_EXCEPTION
    assert error["message"].startswith(
        "Command 'PUBLISH' rejected with code 'ALREADY_EXISTS': Expected to publish a new "
        "message with id 'once'"
    )
    assert "code" not in error
    assert len(gateway.messages) == 1  # the refused one is not buffered


async def test_correlate_without_the_rest_api_is_an_input_error(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    await start_engine()
    job = await run_modelled(
        gateway,
        adapter,
        {"messageName": "paid", "correlationKey": "o-1", "correlationType.type": "correlate"},
    )
    failure = job.failures[0]
    assert failure.retries == 0
    assert "CAMUNDA_REST_ADDRESS" in failure.message
    assert failure.variables["error"]["type"] == (
        "io.camunda.connector.api.error.ConnectorInputException"
    )
    assert gateway.messages == []


async def test_correlate_over_the_rest_api_answers_with_the_instance(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter, rest: CamundaRestStandIn
) -> None:
    """The gRPC engine takes the job; the correlation goes to ``POST /v2/messages/
    correlation`` because CAMUNDA_REST_ADDRESS is set."""
    await start_engine(rest=rest)
    receiver = await waiting_receiver(adapter, "o-2")
    job = await run_modelled(
        gateway,
        adapter,
        {
            "messageName": "paid",
            "correlationKey": "=orderId",
            "variables": "={amount: 9}",
            "correlationType.type": "correlate",
            "resultVariable": "correlated",
        },
        {"orderId": "o-2"},
    )
    assert job.state == COMPLETED, job.failures
    # Time to live and message id belong to publish mode: the template does not write them.
    assert job.variables["correlationType"] == {"type": "correlate"}
    (call,) = rest.calls_to("POST", "/v2/messages/correlation")
    assert call.body == {"name": "paid", "correlationKey": "o-2", "variables": {"amount": 9}}
    message_key, instance, _ = gateway.correlations[-1]
    assert instance == receiver
    assert job.completed_variables == {
        "correlated": {
            "messageKey": message_key,
            "tenantId": "<default>",
            "processInstanceKey": receiver,
        }
    }


async def test_correlate_with_no_subscription_fails_with_the_engines_refusal(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter, rest: CamundaRestStandIn
) -> None:
    await start_engine(rest=rest)
    job = await run_modelled(
        gateway,
        adapter,
        {"messageName": "paid", "correlationKey": "nobody", "correlationType.type": "correlate"},
    )
    failure = job.failures[0]
    assert failure.retries == 2
    error = failure.variables["error"]
    assert error["type"] == PROBLEM_EXCEPTION
    assert error["message"].startswith("Command 'CORRELATE' rejected with code 'NOT_FOUND'")


async def test_the_rest_engine_publishes_and_correlates_itself(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter, rest: CamundaRestStandIn
) -> None:
    await start_engine(rest=rest, transport="rest")
    published = await run_modelled(
        gateway,
        adapter,
        {"messageName": "later", "correlationKey": "k", "correlationType.timeToLive": "PT5S"},
        process_id="publisher",
    )
    assert published.state == COMPLETED, published.failures
    (call,) = rest.calls_to("POST", "/v2/messages/publication")
    assert call.body["timeToLive"] == 5_000
    receiver = await waiting_receiver(adapter, "o-3")
    correlated = await run_modelled(
        gateway,
        adapter,
        {
            "messageName": "paid",
            "correlationKey": "o-3",
            "correlationType.type": "correlate",
            "resultExpression": "={instance: processInstanceKey}",
        },
        process_id="correlator",
    )
    assert correlated.state == COMPLETED, correlated.failures
    assert correlated.completed_variables == {"instance": receiver}


async def test_an_engine_that_does_not_answer_costs_one_retry(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    await start_engine()
    gateway.inject("PublishMessage", grpc.StatusCode.UNAVAILABLE, details="broker away")
    job = await run_modelled(
        gateway, adapter, {"messageName": "paid", "correlationKey": "o-9", "requestTimeout": "PT2S"}
    )
    failure = job.failures[0]
    assert (failure.retries, failure.backoff_ms) == (2, 30_000)
    assert failure.variables["error"]["type"] == CLIENT_STATUS_EXCEPTION
    assert failure.variables["error"]["message"] == "broker away"


async def test_a_secret_in_the_payload_is_sent_but_never_recorded(
    start_engine: Start, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    harness = await start_engine(secrets={"PAY_TOKEN": "tok-9f8e7d6c"})
    job = await run_modelled(
        gateway,
        adapter,
        {
            "messageName": "paid",
            "correlationKey": "o-5",
            "variables": '={token: "{{secrets.PAY_TOKEN}}"}',
        },
    )
    assert job.state == COMPLETED, job.failures
    # The receiver gets the value (that is what the user asked for)...
    assert json.loads(gateway.messages[-1].variables) == {"token": "tok-9f8e7d6c"}
    # ...the execution history never holds it.
    (record,) = harness.history.records
    assert "tok-9f8e7d6c" not in json.dumps(record.input) + json.dumps(record.output)
    assert record.input["variables"] == {"token": "{{secrets.PAY_TOKEN}}"}
