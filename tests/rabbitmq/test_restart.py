"""A real broker restart (a private RabbitMQ node, tests/support/rabbitmq.py): while the broker
is down jobs fail as ordinary failures (retries - 1, so Zeebe retries them after the backoff),
and once it is back the pooled connection is reopened for the next job without any
intervention. Camunda's connector opens a connection per job, so it recovers the same way
(camunda/connectors ``connectors/rabbitmq/.../outbound/RabbitMqFunction.java``)."""

from __future__ import annotations

import uuid

import aiormq
import pytest
from pamqp import commands as spec

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, Job
from connectors.rabbitmq import TYPE, rabbitmq
from connectors.rabbitmq.connection import usable
from connectors.rabbitmq.errors import BrokerUnreachableError
from connectors.rabbitmq.pool import pool
from connectors.rabbitmq.target import target_from_uri
from tests.support.rabbitmq import RabbitNode


async def _declare(uri: str, exchange: str, queue: str) -> None:
    connection = await aiormq.connect(uri)
    channel = await connection.channel()
    await channel.exchange_declare(exchange, exchange_type="direct", durable=True)
    await channel.queue_declare(queue, durable=True)
    await channel.queue_bind(queue, exchange, routing_key="rk")
    await connection.close()


async def _drain(uri: str, queue: str) -> list[bytes]:
    connection = await aiormq.connect(uri)
    channel = await connection.channel()
    bodies = []
    while True:
        message = await channel.basic_get(queue, no_ack=True)
        if isinstance(message.delivery, spec.Basic.GetEmpty):
            break
        bodies.append(message.body)
    await connection.close()
    return bodies


def _job(uri: str, exchange: str, body: str) -> Job:
    return Job.create(
        type=TYPE,
        variables={
            "authentication": {"authType": "uri", "uri": uri},
            "routing": {"exchange": exchange, "routingKey": "rk"},
            "message": {"body": body, "properties": {"deliveryMode": 2}},
        },
        custom_headers={"resultVariable": "result", "retryBackoff": "PT30S"},
        retries=3,
    )


@pytest.fixture
def runtime() -> ConnectorRuntime:
    rt = ConnectorRuntime({TYPE: rabbitmq})
    yield rt
    rt.close()


async def test_jobs_survive_a_broker_restart(
    rabbit_node: RabbitNode, runtime: ConnectorRuntime
) -> None:
    tag = uuid.uuid4().hex[:8]
    exchange, queue = f"restart-x-{tag}", f"restart-q-{tag}"
    await _declare(rabbit_node.uri, exchange, queue)

    first = await runtime.execute(_job(rabbit_node.uri, exchange, "before"))
    assert first.outcome == Complete({"result": {"statusResult": "success"}})
    link = pool()._links[target_from_uri(rabbit_node.uri)]
    before = link.connection

    await rabbit_node.stop_app()
    down = (await runtime.execute(_job(rabbit_node.uri, exchange, "while down"))).outcome
    assert isinstance(down, Fail)
    assert down.retries == 2 and down.backoff_ms == 30_000  # Zeebe retries it later
    assert down.variables["error"]["type"] == BrokerUnreachableError.error_type
    assert not usable(before)

    await rabbit_node.start_app()
    after = await runtime.execute(_job(rabbit_node.uri, exchange, "after"))
    assert after.outcome == Complete({"result": {"statusResult": "success"}})
    assert usable(link.connection) and link.connection is not before
    # Persistent messages on a durable queue outlive the restart; nothing was sent twice.
    assert await _drain(rabbit_node.uri, queue) == [b"before", b"after"]
