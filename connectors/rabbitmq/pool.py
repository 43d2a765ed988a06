"""Connections and channels shared by the outbound jobs of one event loop.

One AMQP connection per distinct :class:`BrokerTarget` (at most ``max_connections``; the
least recently used idle one is closed to make room), and on each a bounded set of channels
in publisher-confirm mode, each used by one publish at a time: a broker error closes only
the channel of the job that caused it. A connection the broker closed (restart, forced
close, network loss) is noticed when a job next needs it and opened again.

Camunda's connector opens a new connection for every job; pooling saves that handshake
(several round trips) and keeps the broker's connection count flat.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from aio_pika.abc import AbstractChannel, AbstractConnection

from connectors.rabbitmq.config import RabbitMqConfig
from connectors.rabbitmq.connection import (
    CLIENT_NAME,
    close_quietly,
    open_connection,
    publish_error,
    usable,
)
from connectors.rabbitmq.errors import BrokerUnreachableError, RabbitMqError
from connectors.rabbitmq.message import OutboundProperties
from connectors.rabbitmq.target import BrokerTarget
from connectors.sdk.perloop import PerLoop


@dataclass(eq=False)
class _Link:
    """The pooled connection to one target and its idle channels."""

    target: BrokerTarget
    slots: asyncio.Semaphore
    connection: AbstractConnection | None = None
    idle: list[AbstractChannel] = field(default_factory=list)
    connecting: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    last_used: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class PoolStats:
    """What the pool holds now (for tests and diagnostics)."""

    connections: int
    open_connections: int
    idle_channels: int
    targets: tuple[str, ...]


class BrokerPool:
    """Publish to RabbitMQ over pooled connections; one instance per event loop."""

    def __init__(self, config: RabbitMqConfig, name: str = CLIENT_NAME) -> None:
        self.config = config
        self.name = name  # the connection name the broker shows
        self._links: OrderedDict[BrokerTarget, _Link] = OrderedDict()
        self._changed = asyncio.Condition()
        self._closed = False
        self._closing: set[asyncio.Task[None]] = set()

    async def publish(
        self,
        target: BrokerTarget,
        *,
        exchange: str,
        routing_key: str,
        body: bytes,
        properties: OutboundProperties,
    ) -> None:
        """Publish one message and wait for the broker's confirmation; raises a
        :class:`RabbitMqError` subclass."""
        link = await self._acquire(target)
        try:
            async with link.slots:
                channel = await self._channel(link)
                kept = False
                try:
                    underlay = await channel.get_underlay_channel()
                    async with asyncio.timeout(self.config.publish_timeout_seconds):
                        await underlay.basic_publish(
                            body,
                            exchange=exchange,
                            routing_key=routing_key,
                            properties=properties,
                            mandatory=False,  # as Camunda: an unroutable message is dropped
                        )
                    kept = True
                except Exception as exc:
                    if isinstance(exc, TimeoutError):
                        # A connection that does not confirm in time is suspect: reopen it.
                        await self._drop_connection(link)
                    raise publish_error(exc, target, exchange) from None
                finally:
                    if kept and not channel.is_closed:
                        link.idle.append(channel)
                    else:
                        await close_quietly(channel)
        finally:
            await self._release(link)

    async def aclose(self) -> None:
        """Close every connection; later publishes fail."""
        self._closed = True
        links = list(self._links.values())
        self._links.clear()
        for link in links:
            await self._drop_connection(link)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def stats(self) -> PoolStats:
        links = list(self._links.values())
        return PoolStats(
            connections=sum(1 for link in links if link.connection is not None),
            open_connections=sum(1 for link in links if usable(link.connection)),
            idle_channels=sum(len(link.idle) for link in links),
            targets=tuple(link.target.display() for link in links),
        )

    # -- internals --------------------------------------------------------------------

    async def _acquire(self, target: BrokerTarget) -> _Link:
        """The link for ``target``, making room under ``max_connections`` by closing the
        least recently used idle link, or waiting for one to become idle."""
        deadline = time.monotonic() + self.config.connect_timeout_seconds
        async with self._changed:
            while True:
                if self._closed:
                    raise BrokerUnreachableError("the RabbitMQ connector is shutting down")
                link = self._links.get(target)
                if link is not None:
                    self._links.move_to_end(target)
                    break
                if len(self._links) < self.config.max_connections:
                    link = _Link(target, asyncio.Semaphore(self.config.channels_per_connection))
                    self._links[target] = link
                    break
                victim = next((v for v in self._links.values() if v.users == 0), None)
                if victim is not None:
                    del self._links[victim.target]
                    # Closed in the background: waiting for the broker's close-ok here
                    # would hold up every job that needs the pool.
                    task = asyncio.create_task(self._drop_connection(victim))
                    self._closing.add(task)
                    task.add_done_callback(self._closing.discard)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrokerUnreachableError(
                        f"No free RabbitMQ connection for {target.display()}: all "
                        f"{self.config.max_connections} pooled connections are busy"
                    )
                try:
                    async with asyncio.timeout(remaining):
                        await self._changed.wait()
                except TimeoutError:
                    continue
            link.users += 1
            return link

    async def _release(self, link: _Link) -> None:
        async with self._changed:
            link.users -= 1
            link.last_used = time.monotonic()
            self._changed.notify_all()

    async def _channel(self, link: _Link) -> AbstractChannel:
        while link.idle:
            channel = link.idle.pop()
            if not channel.is_closed and usable(link.connection):
                return channel
        connection = await self._connection(link)
        try:
            async with asyncio.timeout(self.config.connect_timeout_seconds):
                return await connection.channel(publisher_confirms=True)
        except Exception as exc:
            # The connection died between the check and the channel: reopen it next time.
            await self._drop_connection(link)
            raise _channel_error(exc, link.target) from None

    async def _connection(self, link: _Link) -> AbstractConnection:
        if usable(link.connection):
            assert link.connection is not None
            return link.connection
        async with link.connecting:
            if usable(link.connection):
                assert link.connection is not None
                return link.connection
            stale, link.connection = link.connection, None
            link.idle.clear()
            await close_quietly(stale)
            link.connection = await open_connection(
                link.target, connect_timeout=self.config.connect_timeout_seconds, name=self.name
            )
            return link.connection

    async def _drop_connection(self, link: _Link) -> None:
        connection, link.connection = link.connection, None
        idle, link.idle = link.idle, []
        for channel in idle:
            await close_quietly(channel)
        await close_quietly(connection)


def _channel_error(exc: BaseException, target: BrokerTarget) -> RabbitMqError:
    if isinstance(exc, RabbitMqError):
        return exc
    if isinstance(exc, TimeoutError):
        return BrokerUnreachableError(
            f"Opening a channel to RabbitMQ at {target.display()} timed out"
        )
    return BrokerUnreachableError(
        f"The connection to RabbitMQ at {target.display()} was lost: {type(exc).__name__}"
    )


_pools: PerLoop[BrokerPool] = PerLoop(lambda: BrokerPool(RabbitMqConfig.from_env()))


def pool() -> BrokerPool:
    """This event loop's pool, created (from the environment) on first use."""
    return _pools.get()


async def aclose() -> None:
    """Close this loop's pooled connections (idempotent). The runtime calls it on shutdown."""
    await _pools.aclose()
