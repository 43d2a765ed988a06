"""The RabbitMQ inbound connector: drop-in for Camunda's ``io.camunda:connector-rabbitmq-inbound:1``
(element templates ``io.camunda.connectors.inbound.RabbitMQ.StartEvent.v1``, ``.MessageStart``,
``.Intermediate``, ``.Boundary``, ``.Receive``): consume one queue and correlate every message.

Behaviour follows camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/
rabbitmq/inbound/RabbitMqExecutable.java`` (connect with the URI or the credentials, consume
with manual acknowledgement, the given consumer tag or a random UUID, ``exclusive`` and
``arguments``; health DOWN while the connection recovers, UP again after) and
``RabbitMqConsumer.java`` (``handleCorrelationResult``), with the failure strategies of the SDK's
``CorrelationResult.java``:

- correlated (or the message id already correlated): ``basic.ack``;
- activation condition not met: ``basic.ack`` when ``consumeUnmatchedEvents`` is set, else
  ``basic.reject`` without requeue (the broker drops it or dead-letters it);
- invalid input (an expression fails, no correlation key): ``basic.reject`` without requeue;
- the engine refused or did not answer, or anything unexpected: ``basic.reject`` with requeue.

The AMQP ``message-id`` is handed to the correlation as the message id (used when the
element sets no ``messageIdExpression``). Differences, each for a reason, are listed in
docs/connectors/rabbitmq.md.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from typing import Any

import aiormq
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from aio_pika.abc import AbstractConnection as AbstractPikaConnection

from connectors.rabbitmq.config import RabbitMqConfig
from connectors.rabbitmq.connection import close_quietly, open_connection
from connectors.rabbitmq.errors import QueueNotFoundError, SubscriptionFailedError
from connectors.rabbitmq.inbound_message import message_variables
from connectors.rabbitmq.inbound_models import (
    InboundCredentialsAuthentication,
    InboundUriAuthentication,
    RabbitMqInboundProperties,
)
from connectors.rabbitmq.target import BrokerTarget, target_from_fields, target_from_uri
from connectors.sdk import ConnectorInputError, Group
from connectors.sdk.inbound import (
    ActivationConditionNotMet,
    AlreadyCorrelated,
    Correlated,
    CorrelationFailed,
    CorrelationResult,
    Health,
    InboundContext,
    inbound_connector,
)

log = logging.getLogger("switchboard.connectors.rabbitmq")

INBOUND_TYPE = "io.camunda:connector-rabbitmq-inbound:1"
CONSUMER_NAME = "Switchboard RabbitMQ consumer"
# Unacknowledged messages the broker may push to one consumer (Camunda sets no limit).
PREFETCH_COUNT = 100
# Seconds between reconnection attempts after the broker went away.
RECONNECT_INTERVAL_SECONDS = 1.0
# A retryable failure (the engine is down) requeues the message after this pause, so a
# message the engine cannot take yet is not redelivered in a tight loop.
REQUEUE_DELAY_SECONDS = 1.0
# AMQP message ids remembered as correlated, to recognise a redelivery whose ack was lost.
REMEMBERED_MESSAGE_IDS = 10_000
Decision = tuple[str, bool]  # ("ack" | "reject", requeue)


def target_of(props: RabbitMqInboundProperties) -> BrokerTarget:
    """The broker to connect to, from the URI or from the credentials and routing fields."""
    auth = props.authentication
    if isinstance(auth, InboundUriAuthentication):
        return target_from_uri(auth.uri)
    assert isinstance(auth, InboundCredentialsAuthentication)
    routing = props.routing
    assert routing.host_name and routing.port and routing.virtual_host  # checked before
    return target_from_fields(
        routing.host_name, routing.port, routing.virtual_host, auth.user_name, auth.password
    )


def decide(result: CorrelationResult) -> Decision:
    """Acknowledge, drop or requeue, as Camunda's consumer does for each result."""
    if isinstance(result, Correlated | AlreadyCorrelated):
        return ("ack", False)
    if isinstance(result, ActivationConditionNotMet):
        return ("ack", False) if result.consume else ("reject", False)
    assert isinstance(result, CorrelationFailed)
    return ("reject", result.retryable)


@inbound_connector(
    name="RabbitMQ Consumer",
    type=INBOUND_TYPE,
    properties=RabbitMqInboundProperties,
    element_kinds=(
        "start_event",
        "message_start_event",
        "intermediate_catch_event",
        "boundary_event",
        "receive_task",
    ),
    version=8,
    template_ids={
        "start_event": "io.camunda.connectors.inbound.RabbitMQ.StartEvent.v1",
        "message_start_event": "io.camunda.connectors.inbound.RabbitMQ.MessageStart.v1",
        "intermediate_catch_event": "io.camunda.connectors.inbound.RabbitMQ.Intermediate.v1",
        "boundary_event": "io.camunda.connectors.inbound.RabbitMQ.Boundary.v1",
        "receive_task": "io.camunda.connectors.inbound.RabbitMQ.Receive.v1",
    },
    description="Receive a message from RabbitMQ",
    documentation_url="https://docs.camunda.io/docs/components/connectors/out-of-the-box-"
    "connectors/rabbitmq/?rabbitmq=inbound",
    groups=(
        Group("authentication", "Authentication"),
        Group("routing", "Routing"),
        Group("subscription", "Subscription"),
    ),
    # A queue consumer has no caller to answer: no synchronous response, as in Camunda's
    # templates (the message id and TTL are then always offered).
    extra={"runtime_properties_omitted": ("synchronousResponse",)},
)
class RabbitMqConsumer:
    """Consume a RabbitMQ queue and correlate each message."""

    context: InboundContext

    def __init__(self) -> None:
        self.connection: AbstractPikaConnection | None = None
        self.channel: AbstractChannel | None = None
        self.queue: AbstractQueue | None = None
        self.consumer_tag: str | None = None
        self._inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._correlated: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._closing = False

    async def activate(self, context: InboundContext) -> None:
        self.context = context
        props = context.bind(RabbitMqInboundProperties)
        problems = props.routing_field_errors()
        if problems:
            details = "; ".join(str(p) for p in problems)
            noun = "property" if len(problems) == 1 else "properties"
            raise ConnectorInputError(
                f"Invalid properties ({len(problems)} {noun}): {details}", problems
            )
        target = target_of(props)
        config = RabbitMqConfig.from_env()
        connection = await open_connection(
            target,
            connect_timeout=config.connect_timeout_seconds,
            robust=True,
            name=CONSUMER_NAME,
            reconnect_interval=RECONNECT_INTERVAL_SECONDS,
        )
        self.connection = connection
        connection.close_callbacks.add(self._connection_lost)
        reconnects = getattr(connection, "reconnect_callbacks", None)
        if reconnects is not None:
            reconnects.add(self._reconnected)
        where = f"queue '{props.queue_name}' at {target.display()}"
        self._worker = asyncio.create_task(self._work(), name=f"rabbitmq-inbound {where}")
        try:
            self.channel = await connection.channel()
            await self.channel.set_qos(prefetch_count=PREFETCH_COUNT)
            self.queue = await self.channel.get_queue(props.queue_name, ensure=True)
            await self._watch_consumer_cancel()
            reopened = getattr(self.channel, "reopen_callbacks", None)
            if reopened is not None:  # a robust channel gets a new underlay on reconnect
                reopened.add(self._channel_reopened)
            tag = props.consumer_tag or str(uuid.uuid4())
            self.consumer_tag = await self.queue.consume(
                self._on_message,
                no_ack=False,
                exclusive=props.exclusive,
                arguments=props.arguments,
                consumer_tag=tag,
            )
        except aiormq.exceptions.ChannelNotFoundEntity as exc:
            raise QueueNotFoundError(f"RabbitMQ has no {where}: {_reason(exc)}") from None
        except aiormq.exceptions.AMQPError as exc:
            raise SubscriptionFailedError(
                f"RabbitMQ refused the subscription to {where}: {_reason(exc)}"
            ) from None
        context.report_health(
            Health.up(
                queue=props.queue_name,
                consumerTag=self.consumer_tag,
                connection=target.display(),
            )
        )
        context.log(f"Started consuming {where}", tag="Consumer")

    async def deactivate(self) -> None:
        self._closing = True
        queue, tag = self.queue, self.consumer_tag
        if queue is not None and tag is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(3):
                    await queue.cancel(tag)
        await close_quietly(self.connection)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        self.connection = self.channel = self.queue = None

    # -- connection events ----------------------------------------------------------------

    def _connection_lost(self, _: Any, exc: BaseException | None = None) -> None:
        if self._closing:
            return
        reason = f": {_reason(exc)}" if exc is not None else ""
        self.context.report_health(Health.down(f"Connection to RabbitMQ lost{reason}"))
        self.context.log(
            f"Connection lost{reason}; reconnecting", severity="WARNING", tag="Consumer"
        )

    async def _watch_consumer_cancel(self) -> None:
        channel = self.channel
        if channel is None:
            return
        underlay = await channel.get_underlay_channel()
        underlay.on_consumer_cancel_callbacks.add(self._consumer_cancelled)

    async def _channel_reopened(self, *_: Any) -> None:
        with contextlib.suppress(Exception):
            await self._watch_consumer_cancel()

    async def _consumer_cancelled(self, frame: Any) -> None:
        # The broker's Basic.Cancel (the queue was deleted, a node holding it went away):
        # Camunda's RabbitMqConsumer.handleCancel logs it and cancels the executable.
        tag = getattr(frame, "consumer_tag", None)
        if self._closing or tag != self.consumer_tag:
            return
        self.context.log(f"Consumer cancelled: {tag}", severity="WARNING", tag="Consumer")
        self.context.cancel(f"Consumer cancelled by the broker: {tag}")

    def _reconnected(self, _: Any) -> None:
        self.context.report_health(Health.up(queue=self.queue.name if self.queue else None))
        self.context.log("Connection recovered; consuming again", tag="Consumer")

    # -- messages ---------------------------------------------------------------------------

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        # Handled by the connector's own task, one at a time in delivery order (Camunda's
        # consumer is called serially): the client library cancels its delivery tasks when
        # the connection drops, and a correlation cut off half-way could still reach the
        # engine, unacknowledged.
        await self._inbox.put(message)

    async def _work(self) -> None:
        while True:
            message = await self._inbox.get()
            try:
                await self._handle(message)
            except Exception:  # never let a message kill the consumer
                log.exception("RabbitMQ inbound: handling a message failed")
                await self._settle(message, ("reject", True))

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        if _channel_closed(message):
            # Its channel died (broker restart): it is redelivered on the new one, so it is
            # not correlated now (correlating without being able to acknowledge would
            # correlate it twice).
            log.debug("RabbitMQ inbound: skipping a delivery of a closed channel")
            return
        message_id = message.message_id
        if message.redelivered and message_id and message_id in self._correlated:
            self.context.log(
                f"Message {message_id} was correlated before its acknowledgement was lost; "
                "acknowledged without correlating it again",
                tag="Message",
            )
            await self._settle(message, ("ack", False))
            return
        self.context.log(
            f"Received AMQP message with delivery tag {message.delivery_tag}", tag="Message"
        )
        result = await self.context.correlate(message_variables(message), message_id=message_id)
        decision = decide(result)
        if isinstance(result, Correlated | AlreadyCorrelated) and message_id:
            self._remember(message_id)
        self._log_decision(message, result, decision)
        if decision == ("reject", True) and not self._closing:
            await asyncio.sleep(REQUEUE_DELAY_SECONDS)
        await self._settle(message, decision)

    def _remember(self, message_id: str) -> None:
        self._correlated[message_id] = None
        self._correlated.move_to_end(message_id)
        while len(self._correlated) > REMEMBERED_MESSAGE_IDS:
            self._correlated.popitem(last=False)

    def _log_decision(
        self, message: AbstractIncomingMessage, result: CorrelationResult, decision: Decision
    ) -> None:
        if isinstance(result, Correlated | AlreadyCorrelated):
            self.context.log("Message correlated successfully", tag="Message")
            return
        reason = result.message
        what = {
            ("ack", False): "Message will be acknowledged.",
            ("reject", False): "Message will be dropped.",
            ("reject", True): "Message will be requeued.",
        }[decision]
        self.context.log(
            f"Failed to handle AMQP message with delivery tag {message.delivery_tag}, "
            f"reason: {reason}. {what}",
            severity="WARNING",
            tag="Message",
        )

    async def _settle(self, message: AbstractIncomingMessage, decision: Decision) -> None:
        action, requeue = decision
        try:
            if action == "ack":
                await message.ack()
            else:
                await message.reject(requeue=requeue)
        except Exception as exc:
            # The channel is gone: the broker requeues the message itself.
            self.context.log(
                f"Could not {action} message {message.delivery_tag} ({_reason(exc)}); "
                "the broker redelivers it",
                severity="WARNING",
                tag="Message",
            )


def _channel_closed(message: AbstractIncomingMessage) -> bool:
    try:
        return bool(message.channel.is_closed)
    except Exception:
        return True


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiormq.exceptions.AMQPError) and exc.args:
        first = exc.args[0]
        if isinstance(first, int) and len(exc.args) > 1:
            return str(exc.args[1])
        return str(first)
    return str(exc) or type(exc).__name__


__all__ = ["INBOUND_TYPE", "RabbitMqConsumer", "decide", "target_of"]
