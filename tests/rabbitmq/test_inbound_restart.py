"""The RabbitMQ inbound connector survives a real broker restart (a private node,
tests/support/rabbitmq.py) in the middle of a stream: every published message is correlated
exactly once.

Camunda's executable opens a recovering connection (the Java client's automatic recovery) and
reports health DOWN while it recovers and UP once it is back (camunda/connectors
``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/inbound/RabbitMqExecutable.java``,
its ``RecoveryListener``); messages are acknowledged only after they were correlated
(``RabbitMqConsumer.java``), so the broker redelivers whatever was not acknowledged when the
connection dropped. A message whose correlation succeeded but whose acknowledgement was lost
comes back marked redelivered: Switchboard recognises it by its AMQP message id and
acknowledges it without correlating it again (docs/connectors/rabbitmq.md).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import aiormq
import grpc
from pamqp import commands as spec

from tests.inbound.conftest import Served, clean_inbound, serve_app
from tests.support.gateway import TestGateway
from tests.support.modeler import apply_inbound_template
from tests.support.rabbitmq import RabbitNode
from tests.support.waiting import eventually
from tests.templates.official import official_template

START = "io.camunda.connectors.inbound.RabbitMQ.StartEvent.v1"
BEFORE, AFTER = 60, 10


async def _publish(uri: str, queue: str, numbers: range, *, declare: bool = False) -> None:
    connection = await aiormq.connect(uri)
    try:
        channel = await connection.channel()
        await channel.confirm_delivery()
        if declare:
            await channel.queue_declare(queue, durable=True)
        for n in numbers:
            await channel.basic_publish(
                json.dumps({"n": n}).encode(),
                routing_key=queue,
                properties=spec.Basic.Properties(message_id=f"msg-{n}", delivery_mode=2),
            )
    finally:
        await connection.close()


async def _ready(uri: str, queue: str) -> int:
    connection = await aiormq.connect(uri)
    try:
        channel = await connection.channel()
        declared = await channel.queue_declare(queue, durable=True, passive=True)
        return int(declared.message_count or 0)
    finally:
        await connection.close()


def _created(gateway: TestGateway) -> list[int]:
    return [
        json.loads(c.request.variables)["n"]
        for c in gateway.calls_to("CreateProcessInstance")
        if c.code == grpc.StatusCode.OK
    ]


async def _health(served: Served) -> dict[str, Any]:
    [element] = await served.inbound()
    health: dict[str, Any] = element["health"]
    return health


async def test_a_broker_restart_mid_stream_loses_nothing_and_correlates_nothing_twice(
    rabbit_node: RabbitNode, inbound_db: str
) -> None:
    queue = f"sb-in-restart-{uuid.uuid4().hex[:8]}"
    await _publish(rabbit_node.uri, queue, range(BEFORE), declare=True)
    await clean_inbound(inbound_db)
    async with (
        TestGateway() as gateway,
        serve_app(inbound_db, gateway, worker_request_timeout_seconds=10.0) as served,
    ):
        # An engine that takes a little while per instance, so the restart finds messages
        # delivered but not yet acknowledged, and some not yet delivered.
        gateway.latency["CreateProcessInstance"] = 0.03
        applied = apply_inbound_template(
            official_template(START),
            {
                "authentication.uri": rabbit_node.uri,
                "queueName": queue,
                "resultExpression": "={n: message.body.n}",
            },
        )
        response = await served.deploy(("stream.bpmn", applied.bpmn("stream")))
        assert response.status_code == 200, response.text
        await eventually(lambda: len(_created(gateway)) >= 10, what="the stream to start")

        # The next instance takes long enough that the broker goes away while it is being
        # created: its message is correlated but cannot be acknowledged any more.
        gateway.latency["CreateProcessInstance"] = 4.0
        await rabbit_node.stop_app()
        gateway.latency["CreateProcessInstance"] = 0.03
        down = await eventually(lambda: _down(served), within=10, what="the health to turn DOWN")
        assert "Connection to RabbitMQ lost" in down["error"]
        assert len(_created(gateway)) < BEFORE, "the stream ended before the restart"
        await rabbit_node.start_app()

        await eventually(lambda: _up(served), within=30, what="the consumer to recover")
        await _publish(rabbit_node.uri, queue, range(BEFORE, BEFORE + AFTER))
        total = BEFORE + AFTER
        await eventually(lambda: len(_created(gateway)) >= total, within=30, what="every message")
        await eventually(lambda: _drained(rabbit_node.uri, queue), within=10, what="an empty queue")
        counts = Counter(_created(gateway))
        assert sorted(counts) == list(range(total)), "a message was lost"
        assert [n for n, c in counts.items() if c > 1] == [], "a message was correlated twice"
        [element] = await served.inbound()
        assert element["state"] == "active"


async def _down(served: Served) -> dict[str, Any] | None:
    health = await _health(served)
    return health if health["status"] == "DOWN" else None


async def _up(served: Served) -> bool:
    return (await _health(served))["status"] == "UP"


async def _drained(uri: str, queue: str) -> bool:
    return await _ready(uri, queue) == 0
