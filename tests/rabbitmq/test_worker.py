"""RabbitMQ jobs shaped by Camunda's official template (``io.camunda.connectors.RabbitMQ.v1``,
newest version, applied by the modeler stand-in), run by Switchboard's worker over real gRPC
against the test gateway and the real broker; the test asserts the command the gateway got.

Camunda facts: the result is ``{"statusResult": "success"}`` (camunda/connectors
``connectors/rabbitmq/.../outbound/RabbitMqResult.java``); connector exceptions other than
input errors fail with retries - 1, the task's backoff and no error code, input errors and a
missing secret with retries 0 (``connector-runtime/connector-runtime-spring/.../outbound/job/
OutboundConnectorExceptionHandler.java``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from app.runtime.model import Fail
from connectors.rabbitmq import TYPE, rabbitmq
from tests.rabbitmq.conftest import Scratch
from tests.support.gateway import COMPLETED, ERROR_THROWN, INCIDENT, GatewayJob, TestGateway
from tests.support.modeler import apply_template
from tests.templates.official import official_template
from tests.zeebe.conftest import adapter as adapter
from tests.zeebe.conftest import gateway as gateway
from tests.zeebe.conftest import start_worker as start_worker

TEMPLATE = "io.camunda.connectors.RabbitMQ.v1"
PASSWORD = "guest"  # the broker's; a secret in these jobs, so it must never show
SECRETS = {
    "RABBIT_URI": "amqp://guest:guest@127.0.0.1:5672/%2F",
    "RABBIT_USER": "guest",
    "RABBIT_PASSWORD": PASSWORD,
    "BAD_URI": "amqp://guest:Wr0ng-Pa55@127.0.0.1:5672/",
}


async def run_modelled(
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    values: dict[str, Any],
    variables: dict[str, Any] | None = None,
    process_id: str = "rabbit",
) -> GatewayJob:
    """Apply the official template, deploy, start an instance; the worker's job, once final
    or failed."""
    applied = apply_template(official_template(TEMPLATE), values)
    assert applied.job_type == TYPE
    await adapter._gateway_stub.DeployResource(
        pb.DeployResourceRequest(
            resources=[pb.Resource(name="p.bpmn", content=applied.bpmn(process_id))]
        )
    )
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
        what="the RabbitMQ job to finish",
    )


def uri_values(scratch: Scratch, **extra: Any) -> dict[str, Any]:
    return {
        "authentication.authType": "uri",
        "authentication.uri": "{{secrets.RABBIT_URI}}",
        "routing.exchange": scratch.exchange,
        "routing.routingKey": scratch.routing_key,
        **extra,
    }


async def test_a_modelled_job_publishes_and_completes_with_camundas_result(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, scratch: Scratch
) -> None:
    await start_worker(connectors=(rabbitmq,), secrets=SECRETS)
    job = await run_modelled(
        gateway,
        adapter,
        uri_values(
            scratch,
            **{
                "message.body": '={"orderId": orderId, "items": [1, 2]}',
                "message.properties": '{"contentType": "application/json", '
                '"headers": {"orderId": orderId}, "deliveryMode": 2}',
                "resultVariable": "published",
            },
        ),
        {"orderId": 42},
    )
    assert job.state == COMPLETED
    assert job.completed_variables == {"published": {"statusResult": "success"}}
    # The template's hidden bindings and defaults reached the job as the modeler writes them.
    assert job.variables["authentication"] == {"authType": "uri", "uri": "{{secrets.RABBIT_URI}}"}
    assert job.custom_headers["retryBackoff"] == "PT30S"
    message = await scratch.next_message()
    assert message.body == b'{"orderId":42,"items":[1,2]}'
    assert message.header.properties.content_type == "application/json"
    assert message.header.properties.headers == {"orderId": 42}
    assert message.header.properties.delivery_mode == 2


async def test_the_credentials_form_with_secrets(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, scratch: Scratch
) -> None:
    await start_worker(connectors=(rabbitmq,), secrets=SECRETS)
    job = await run_modelled(
        gateway,
        adapter,
        {
            "authentication.authType": "credentials",
            "authentication.userName": "{{secrets.RABBIT_USER}}",
            "authentication.password": "{{secrets.RABBIT_PASSWORD}}",
            "routing.exchange": scratch.exchange,
            "routing.routingKey": scratch.routing_key,
            "routing.virtualHost": "/",
            "routing.hostName": "127.0.0.1",
            "routing.port": "5672",
            "message.body": "plain text",
            "resultExpression": "={status: statusResult}",
        },
    )
    assert job.state == COMPLETED
    assert job.completed_variables == {"status": "success"}
    # The URI of the other variant is not written (its condition does not hold).
    assert "uri" not in job.variables["authentication"]
    assert (await scratch.next_message()).body == b"plain text"


async def test_bad_credentials_fail_with_retries_left_and_no_code(
    start_worker,
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    scratch: Scratch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    harness = await start_worker(connectors=(rabbitmq,), secrets=SECRETS)
    job = await run_modelled(
        gateway,
        adapter,
        {
            **uri_values(scratch, **{"message.body": "x"}),
            "authentication.uri": "{{secrets.BAD_URI}}",
        },
    )
    [failure] = job.failures[:1]
    assert failure.retries == 2  # the template's 3 retries, minus one
    assert failure.backoff_ms == 30_000  # the template's PT30S
    assert "ACCESS_REFUSED" in failure.message
    error = failure.variables["error"]
    assert "code" not in error  # Camunda's runtime sets none for a connector exception
    # A stable name, Camunda's for a connector exception (docs/runtime.md), not a module path.
    assert error["type"] == "io.camunda.connector.api.error.ConnectorException"
    [record] = [r for r in harness.history.records if r.job.key == job.key][:1]
    assert isinstance(record.outcome, Fail)
    shown = json.dumps([record.input, record.output, record.outcome.message, failure.message])
    assert "Wr0ng-Pa55" not in shown and "Wr0ng-Pa55" not in caplog.text
    assert "{{secrets.BAD_URI}}" in json.dumps(record.input)  # history keeps the placeholder


async def test_a_missing_secret_fails_without_retries(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, scratch: Scratch
) -> None:
    await start_worker(connectors=(rabbitmq,), secrets={})
    job = await run_modelled(gateway, adapter, uri_values(scratch, **{"message.body": "x"}))
    assert job.state == INCIDENT
    assert job.failures[0].retries == 0
    # The fail command's message carries the error variables, as Camunda's job handler writes
    # it (SpringConnectorJobHandler.prepareFailJobCommand); an input error has no code.
    assert job.failures[0].message == (
        "Secret with name 'RABBIT_URI' is not available | Error variables: {error={type="
        "io.camunda.connector.api.error.ConnectorInputException, message=Secret with name "
        "'RABBIT_URI' is not available}}"
    )
    assert await scratch.count() == 0


async def test_a_missing_exchange_fails_and_an_error_expression_can_catch_it(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, scratch: Scratch
) -> None:
    await start_worker(connectors=(rabbitmq,), secrets=SECRETS)
    job = await run_modelled(
        gateway,
        adapter,
        {
            **uri_values(scratch, **{"message.body": "x"}),
            "routing.exchange": "no-such-exchange",
            "errorExpression": '=if contains(error.message, "NOT_FOUND") then '
            'bpmnError("NO_EXCHANGE", error.message) else null',
        },
        process_id="rabbit-missing",
    )
    await gateway.wait_for(lambda: job.error_code, what="the BPMN error")
    assert job.error_code == "NO_EXCHANGE"
    assert "no exchange 'no-such-exchange'" in (job.error_message or "")


async def test_unreachable_broker_fails_with_retries_left(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, scratch: Scratch
) -> None:
    from tests.support.rabbitmq import free_port

    secrets = {**SECRETS, "RABBIT_URI": f"amqp://guest:guest@127.0.0.1:{free_port()}/"}
    await start_worker(connectors=(rabbitmq,), secrets=secrets)
    job = await run_modelled(gateway, adapter, uri_values(scratch, **{"message.body": "x"}))
    assert job.failures[0].retries == 2
    assert "Cannot connect to RabbitMQ" in job.failures[0].message


async def test_blank_required_input_fails_without_retries(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, scratch: Scratch
) -> None:
    """The modeler would stop an empty exchange; a FEEL value can still be blank."""
    await start_worker(connectors=(rabbitmq,), secrets=SECRETS)
    job = await run_modelled(
        gateway,
        adapter,
        {**uri_values(scratch, **{"message.body": "x"}), "routing.exchange": '=" "'},
    )
    assert job.state == INCIDENT
    assert job.failures[0].retries == 0
    assert "routing.exchange: Value error, must not be blank" in job.failures[0].message


async def test_switchboard_invoke_publishes_and_closes_its_connection_cleanly(
    scratch: Scratch,
) -> None:
    """The CLI runs one job in its own event loop: the pooled connection must be closed before
    that loop ends (else asyncio reports destroyed pending tasks)."""
    variables = scratch.variables(body="from the CLI")
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("switchboard")),
        "invoke",
        TYPE,
        "--variables",
        json.dumps(variables),
        "--headers",
        '{"resultVariable": "r"}',
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert json.loads(out)["variables"] == {"r": {"statusResult": "success"}}
    assert "Task was destroyed" not in err.decode() and "Traceback" not in err.decode()
    assert (await scratch.next_message()).body == b"from the CLI"
