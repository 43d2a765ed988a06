"""Fixtures for the RabbitMQ connector tests: the machine's broker on 127.0.0.1:5672, a
fresh exchange and queue per test (read back with aiormq, so the test sees the raw AMQP
properties a consumer gets), and a private broker node for restart tests."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiormq
import pytest
from aiormq.abc import DeliveredMessage
from pamqp import commands as spec

from connectors.rabbitmq import aclose
from tests.inbound.conftest import inbound_db as inbound_db  # PostgreSQL at head (inbound tests)
from tests.support.rabbitmq import SHARED_URI, RabbitNode, require_shared_broker


@pytest.fixture(autouse=True)
async def fresh_pool() -> AsyncIterator[None]:
    """Each test starts with no pooled connection and leaves none open."""
    await aclose()
    yield
    await aclose()


@dataclass
class Scratch:
    """An exchange bound to a queue with one routing key, both unique to the test."""

    channel: aiormq.abc.AbstractChannel
    exchange: str
    routing_key: str
    queue: str

    async def next_message(self, timeout: float = 5.0) -> DeliveredMessage:  # noqa: ASYNC109
        """The next message in the queue (polls with basic.get until the deadline)."""
        deadline = time.monotonic() + timeout
        while True:
            message = await self.channel.basic_get(self.queue, no_ack=True, timeout=timeout)
            if not isinstance(message.delivery, spec.Basic.GetEmpty):
                return message
            if time.monotonic() > deadline:
                raise AssertionError(f"no message arrived in queue {self.queue} in {timeout}s")
            await asyncio.sleep(0.02)

    async def count(self) -> int:
        declared = await self.channel.queue_declare(self.queue, passive=True)
        return int(declared.message_count or 0)

    def variables(self, uri: str = SHARED_URI, **message: Any) -> dict[str, Any]:
        """Job variables in the shape the official template produces (URI form)."""
        return {
            "authentication": {"authType": "uri", "uri": uri},
            "routing": {"exchange": self.exchange, "routingKey": self.routing_key},
            "message": {"properties": {}, **message},
        }


@pytest.fixture
async def amqp() -> AsyncIterator[aiormq.abc.AbstractConnection]:
    require_shared_broker()
    connection = await aiormq.connect(SHARED_URI)
    yield connection
    await connection.close()


@pytest.fixture
async def scratch(amqp: aiormq.abc.AbstractConnection) -> AsyncIterator[Scratch]:
    channel = await amqp.channel()
    tag = uuid.uuid4().hex[:10]
    exchange, queue, key = f"sb-test-x-{tag}", f"sb-test-q-{tag}", f"rk.{tag}"
    await channel.exchange_declare(exchange, exchange_type="direct")
    await channel.queue_declare(queue, exclusive=True)
    await channel.queue_bind(queue, exchange, routing_key=key)
    yield Scratch(channel, exchange, key, queue)
    if not channel.is_closed:
        await channel.exchange_delete(exchange)


_node: RabbitNode | None = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start booting the private node as soon as a selected test needs it, so the boot
    overlaps the tests that run before that one."""
    global _node
    if _node is None and any("rabbit_node" in getattr(i, "fixturenames", ()) for i in items):
        _node = RabbitNode().launch()


@pytest.fixture(scope="session")
async def rabbit_node() -> AsyncIterator[RabbitNode]:
    """A private broker node for restart tests, booted once per session."""
    global _node
    node = _node or RabbitNode()
    _node = None
    try:
        yield await node.ready()
    finally:
        await asyncio.to_thread(node.close)
