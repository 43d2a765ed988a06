"""The RabbitMQ inbound connector end to end: a BPMN shaped by Camunda's official RabbitMQ
inbound templates (applied as the modeler does), deployed through Switchboard, consumes a
queue on the machine's broker (127.0.0.1:5672) and correlates through real gRPC at the test
gateway.

Facts (camunda/connectors):
- ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/inbound/RabbitMqConsumer.java``:
  the variables ``{message: {consumerTag, body, properties}}`` (body parsed as JSON when it is
  JSON, a JSON number as a double), the AMQP message id handed to the correlation, and
  ``handleCorrelationResult``: success -> ack; a failure whose strategy is
  ``ForwardErrorToUpstream`` -> reject, requeued when retryable; ``Ignore`` -> ack.
- ``connector-sdk/core/src/main/java/io/camunda/connector/api/inbound/CorrelationResult.java``:
  ``ActivationConditionNotMet`` is ``Ignore`` with ``consumeUnmatchedEvents``, else
  non-retryable; ``InvalidInput`` is non-retryable; an engine status (``ZeebeClientStatus``)
  is retryable.
- ``RabbitMqExecutable.java``: consumes with manual acknowledgement, the given consumer tag,
  ``exclusive`` and ``arguments``.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiormq
import grpc
import pytest
from pamqp import commands as spec

from tests.inbound.conftest import Served, clean_inbound, serve_app
from tests.support.gateway import TestGateway
from tests.support.modeler import apply_inbound_template
from tests.support.rabbitmq import SHARED_URI, require_shared_broker
from tests.support.waiting import eventually
from tests.templates.official import official_template

START = "io.camunda.connectors.inbound.RabbitMQ.StartEvent.v1"
MESSAGE_START = "io.camunda.connectors.inbound.RabbitMQ.MessageStart.v1"
INTERMEDIATE = "io.camunda.connectors.inbound.RabbitMQ.Intermediate.v1"
URI_SECRET = "RABBIT_INBOUND_URI"
PASSWORD_SECRET = "RABBIT_INBOUND_PASSWORD"


@dataclass
class Queues:
    """A queue unique to the test, dead-lettering into a second one (so a message the
    connector drops can be seen)."""

    channel: aiormq.abc.AbstractChannel
    name: str
    dead: str

    async def publish(self, body: bytes | str, **properties: Any) -> None:
        data = body.encode() if isinstance(body, str) else body
        await self.channel.basic_publish(
            data, routing_key=self.name, properties=spec.Basic.Properties(**properties)
        )

    async def ready(self, queue: str | None = None) -> int:
        declared = await self.channel.queue_declare(queue or self.name, passive=True)
        return int(declared.message_count or 0)

    async def consumers(self) -> int:
        declared = await self.channel.queue_declare(self.name, passive=True)
        return int(declared.consumer_count or 0)

    async def dead_letters(self) -> list[bytes]:
        found = []
        while True:
            got = await self.channel.basic_get(self.dead, no_ack=True)
            if isinstance(got.delivery, spec.Basic.GetEmpty):
                return found
            found.append(bytes(got.body))


@pytest.fixture
async def queues() -> AsyncIterator[Queues]:
    require_shared_broker()
    connection = await aiormq.connect(SHARED_URI)
    channel = await connection.channel()
    tag = uuid.uuid4().hex[:10]
    name, dead = f"sb-in-{tag}", f"sb-in-dead-{tag}"
    await channel.queue_declare(dead)
    await channel.queue_declare(
        name,
        arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead},
    )
    yield Queues(channel, name, dead)
    with contextlib.suppress(Exception):
        await channel.queue_delete(name)
        await channel.queue_delete(dead)
    await connection.close()


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@pytest.fixture
def secrets() -> AsyncIterator[None]:
    os.environ["SECRET_" + URI_SECRET] = SHARED_URI
    os.environ["SECRET_" + PASSWORD_SECRET] = "guest"
    yield None
    os.environ.pop("SECRET_" + URI_SECRET, None)
    os.environ.pop("SECRET_" + PASSWORD_SECRET, None)


@contextlib.asynccontextmanager
async def app(inbound_db: str, gateway: TestGateway) -> AsyncIterator[Served]:
    await clean_inbound(inbound_db)
    async with serve_app(inbound_db, gateway) as served:
        yield served


async def deploy(served: Served, template: str, values: dict[str, Any], process: str) -> Any:
    applied = apply_inbound_template(official_template(template), values)
    response = await served.deploy((f"{process}.bpmn", applied.bpmn(process)))
    assert response.status_code == 200, response.text
    [element] = response.json()["inboundElements"]
    assert element["type"] == "io.camunda:connector-rabbitmq-inbound:1"
    assert (element["state"], element["error"]) == ("active", None)
    return applied


def uri_values(queue: str, **more: Any) -> dict[str, Any]:
    return {"authentication.uri": f"{{{{secrets.{URI_SECRET}}}}}", "queueName": queue, **more}


async def test_a_start_event_creates_an_instance_per_message_with_camundas_variables(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None
) -> None:
    async with app(inbound_db, gateway) as served:
        await deploy(
            served,
            START,
            uri_values(queues.name, consumerTag="sb-consumer", resultVariable="received"),
            "orders",
        )
        await queues.publish(
            json.dumps({"order": 7, "items": [1, 2]}),
            message_id="m-1",
            content_type="application/json",
            headers={"source": "shop", "attempt": 1},
            delivery_mode=2,
            priority=3,
            correlation_id="c-9",
            expiration="60000",
        )
        await queues.publish("12.5")  # a JSON number: a double
        await queues.publish("plain text, not JSON")
        calls = await gateway.wait_for_calls("CreateProcessInstance", 3)
        assert all(c.code == grpc.StatusCode.OK for c in calls)
        first, number, text = (
            json.loads(c.request.variables)["received"]["message"] for c in calls
        )
        assert first == {
            "consumerTag": "sb-consumer",
            "body": {"order": 7, "items": [1, 2]},
            "properties": {
                "contentType": "application/json",
                "headers": {"source": "shop", "attempt": 1},
                "deliveryMode": 2,
                "priority": 3,
                "correlationId": "c-9",
                "expiration": "60000",
                "messageId": "m-1",
            },
        }
        assert number["body"] == 12.5 and text["body"] == "plain text, not JSON"
        assert {c.request.bpmnProcessId for c in calls} == {"orders"}
        await eventually(lambda: _no_unacked(queues), what="the queue to be empty")
    # The app (and its connection) is gone: nothing was left unacknowledged or dropped.
    assert await queues.ready() == 0
    assert await queues.dead_letters() == []


async def _no_unacked(queues: Queues) -> bool:
    return await queues.ready() == 0


async def test_an_intermediate_event_publishes_with_the_key_and_the_amqp_message_id(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None
) -> None:
    async with app(inbound_db, gateway) as served:
        applied = await deploy(
            served,
            INTERMEDIATE,
            {
                "authentication.authType": "credentials",
                "authentication.userName": "guest",
                "authentication.password": f"{{{{secrets.{PASSWORD_SECRET}}}}}",
                "routing.hostName": "127.0.0.1",
                "routing.port": "5672",
                "routing.virtualHost": "/",
                "queueName": queues.name,
                "correlationKeyProcess": "=orderId",
                "correlationKeyPayload": "=message.body.order",
                "messageTtl": "PT5M",
                "resultExpression": "={paid: message.body.amount}",
            },
            "pay",
        )
        await queues.publish(json.dumps({"order": "o-1", "amount": 12}), message_id="txn-1")
        [call] = await gateway.wait_for_calls("PublishMessage", 1)
        request = call.request
        assert (request.name, request.correlationKey, request.messageId) == (
            applied.message_name,
            "o-1",
            "txn-1",
        )
        assert request.timeToLive == 300_000
        assert json.loads(request.variables) == {"paid": 12}


@pytest.mark.parametrize("consume", [True, False])
async def test_an_unmet_activation_condition_acks_or_drops_as_consume_unmatched_says(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None, consume: bool
) -> None:
    async with app(inbound_db, gateway) as served:
        await deploy(
            served,
            START,
            uri_values(
                queues.name,
                activationCondition='=message.body.kind = "order"',
                consumeUnmatchedEvents=consume,
                resultExpression="={kind: message.body.kind}",
            ),
            "filtered",
        )
        await queues.publish(json.dumps({"kind": "noise"}))
        await queues.publish(json.dumps({"kind": "order"}))
        [call] = await gateway.wait_for_calls("CreateProcessInstance", 1)
        assert json.loads(call.request.variables) == {"kind": "order"}
        await eventually(lambda: _no_unacked(queues), what="the queue to be empty")
        if not consume:
            # Rejected without requeue: the broker dead-letters it.
            assert await eventually(queues.dead_letters, what="the dropped message") == [
                b'{"kind": "noise"}'
            ]
    assert len(gateway.calls_to("CreateProcessInstance")) == 1
    assert await queues.ready() == 0  # acknowledged, not left for redelivery
    assert await queues.dead_letters() == []


async def test_an_invalid_correlation_input_drops_and_an_engine_failure_requeues(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None
) -> None:
    async with app(inbound_db, gateway) as served:
        await deploy(
            served,
            START,
            uri_values(queues.name, resultExpression="=if message.body.bad then 1 else {}"),
            "strict",
        )
        # The result expression yields a number: invalid input, dropped (no retry can help).
        await queues.publish(json.dumps({"bad": True}))
        assert await eventually(queues.dead_letters, what="the dropped message") == [
            b'{"bad": true}'
        ]
        # The engine is unavailable once: rejected with requeue, redelivered, correlated.
        gateway.inject("CreateProcessInstance", grpc.StatusCode.UNAVAILABLE)
        await queues.publish(json.dumps({"bad": False}), message_id="again")
        calls = await gateway.wait_for_calls("CreateProcessInstance", 2, timeout=10)
        assert [c.code for c in calls] == [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.OK]
        await eventually(lambda: _no_unacked(queues), what="the queue to be empty")
    assert await queues.ready() == 0
    assert await queues.dead_letters() == []


async def test_secrets_are_resolved_and_masked_and_a_missing_queue_fails_clearly(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None
) -> None:
    password = "n0t-the-real-pa55"
    os.environ["SECRET_BAD_RABBIT_URI"] = f"amqp://guest:{password}@127.0.0.1:5672/"
    try:
        async with app(inbound_db, gateway) as served:
            applied = apply_inbound_template(
                official_template(MESSAGE_START),
                {"authentication.uri": "{{secrets.BAD_RABBIT_URI}}", "queueName": queues.name},
            )
            response = await served.deploy(("bad.bpmn", applied.bpmn("bad")))
            assert response.status_code == 200, response.text
            missing = apply_inbound_template(
                official_template(START),
                uri_values(f"{queues.name}-missing"),
            )
            response = await served.deploy(("missing.bpmn", missing.bpmn("missing")))
            assert response.status_code == 200, response.text
            elements = {e["bpmnProcessId"]: e for e in await served.inbound()}
            bad, gone = elements["bad"], elements["missing"]
            assert bad["state"] == "failed"
            assert "refused the login of user 'guest'" in bad["error"]
            assert gone["state"] == "failed"
            assert f"no queue '{queues.name}-missing'" in gone["error"]
            everything = json.dumps(await served.inbound())
            assert password not in everything and SHARED_URI not in everything
            assert await queues.consumers() == 0
    finally:
        os.environ.pop("SECRET_BAD_RABBIT_URI", None)


async def test_exclusive_and_arguments_reach_the_broker(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None
) -> None:
    async with app(inbound_db, gateway) as served:
        await deploy(
            served,
            START,
            uri_values(
                queues.name,
                consumerTag="only-me",
                exclusive="true",
                arguments='{"x-priority": 5}',
            ),
            "exclusive",
        )
        assert await queues.consumers() == 1
        # An exclusive consumer: the broker refuses anyone else on the queue.
        connection = await aiormq.connect(SHARED_URI)
        try:
            channel = await connection.channel()
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await channel.basic_consume(queues.name, lambda message: None)
        finally:
            await connection.close()
        [element] = await served.inbound()
        assert element["health"]["status"] == "UP"
        assert element["health"]["details"]["consumerTag"] == "only-me"
    # Deactivated with the app: the consumer is gone.
    assert await queues.consumers() == 0


async def test_a_consumer_the_broker_cancels_cancels_the_executable(
    inbound_db: str, gateway: TestGateway, queues: Queues, secrets: None
) -> None:
    """Deleting the queue makes the broker cancel the consumer (Basic.Cancel): Camunda's
    ``RabbitMqConsumer.handleCancel`` logs ``Consumer cancelled: <tag>`` and calls
    ``context.cancel``; the runtime deactivates the executable and reports it DOWN
    (connector-runtime-spring ``inbound/executable/BatchExecutableProcessor.cancelExecutable``)
    without restarting it (a restart is scheduled only for a ``ConnectorRetryException``)."""
    async with app(inbound_db, gateway) as served:
        await deploy(served, START, uri_values(queues.name, consumerTag="sb-tag"), "cancelled")
        assert await eventually(lambda: _consumers_are(queues, 1))
        await queues.channel.queue_delete(queues.name)

        async def cancelled() -> dict[str, Any] | None:
            [element] = await served.inbound()
            return element if element["state"] == "cancelled" else None

        element = await eventually(cancelled, what="the executable cancelled")
        assert element["error"] == "Consumer cancelled by the broker: sb-tag"
        assert element["health"]["status"] == "DOWN"
        messages = [a["message"] for a in element["activity"]]
        assert "Consumer cancelled: sb-tag" in messages
        # Deactivated: its connection is closed (nothing is left consuming or reconnecting).
        executable = next(iter(served.app.services.inbound.executables.values()))
        assert executable.instance is None


async def _consumers_are(queues: Queues, count: int) -> bool:
    return await queues.consumers() == count
