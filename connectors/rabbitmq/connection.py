"""Open a connection to a :class:`BrokerTarget` and translate the client library's errors
into the connector's error tree. Shared by the outbound pool and the inbound
consumer, so both report a broker problem the same way."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection
from aio_pika.connection import make_url

from connectors.rabbitmq.errors import (
    AuthenticationFailedError,
    BrokerConnectionError,
    BrokerUnreachableError,
    ExchangeNotFoundError,
    PublishFailedError,
    PublishRefusedError,
    PublishUnconfirmedError,
    RabbitMqError,
    VirtualHostRefusedError,
)
from connectors.rabbitmq.target import BrokerTarget

CLIENT_NAME = "Switchboard RabbitMQ connector"
CLOSE_TIMEOUT_SECONDS = 5.0


async def open_connection(
    target: BrokerTarget,
    *,
    connect_timeout: float,
    robust: bool = False,
    name: str = CLIENT_NAME,
    reconnect_interval: float | None = None,
) -> AbstractConnection:
    """A connected aio-pika connection (``robust`` for consumers that should survive broker
    restarts on their own), shown on the broker as ``name``; raises
    :class:`BrokerConnectionError` naming the target."""
    kind = aio_pika.RobustConnection if robust else aio_pika.Connection
    seconds = target.connect_timeout_seconds or connect_timeout
    # Built here rather than with aio_pika.connect() so a failed attempt is closed at once:
    # left to the garbage collector, it would try to close itself outside the event loop.
    options: dict[str, Any] = {"client_properties": {"connection_name": name}}
    if robust and reconnect_interval is not None:
        options["reconnect_interval"] = reconnect_interval
    connection = kind(make_url(target.url()), **options)
    try:
        async with asyncio.timeout(seconds):
            await connection.connect(timeout=seconds)
    except TimeoutError:
        await close_quietly(connection)
        raise BrokerUnreachableError(
            f"Connecting to RabbitMQ at {target.display()} timed out after {seconds:g}s"
        ) from None
    except Exception as exc:
        await close_quietly(connection)
        raise connection_error(exc, target) from None
    return connection


def usable(connection: AbstractConnection | None) -> bool:
    """Open and not closed by the broker (aio-pika keeps ``is_closed`` False then)."""
    if connection is None or connection.is_closed:
        return False
    connected = getattr(connection, "connected", None)
    return connected is None or connected.is_set()


def connection_error(exc: BaseException, target: BrokerTarget) -> RabbitMqError:
    """The connector error for a failure while opening a connection."""
    where = target.display()
    if isinstance(exc, RabbitMqError):
        return exc
    if isinstance(exc, aiormq.exceptions.ProbableAuthenticationError):
        return AuthenticationFailedError(
            f"RabbitMQ at {where} refused the login of user '{target.username}': {_reason(exc)}"
        )
    if isinstance(
        exc, aiormq.exceptions.ConnectionNotAllowed | aiormq.exceptions.InvalidFrameError
    ):
        # Opening a missing (or forbidden) virtual host: the broker answers Connection.Open
        # with Connection.Close (530 NOT_ALLOWED, or 403 ACCESS_REFUSED).
        return VirtualHostRefusedError(
            f"RabbitMQ at {where} refused to open virtual host '{target.virtual_host}' "
            f"for user '{target.username}' (it does not exist, or the user may not use it)"
        )
    if isinstance(exc, ssl.SSLError):
        return BrokerUnreachableError(f"TLS handshake with RabbitMQ at {where} failed: {exc}")
    if isinstance(exc, socket.gaierror):
        return BrokerUnreachableError(
            f"Cannot connect to RabbitMQ at {where}: unknown host '{target.host}'"
        )
    if isinstance(exc, OSError | aiormq.exceptions.AMQPError):
        return BrokerUnreachableError(f"Cannot connect to RabbitMQ at {where}: {_reason(exc)}")
    return BrokerConnectionError(
        f"Cannot connect to RabbitMQ at {where}: {type(exc).__name__}: {_reason(exc)}"
    )


def publish_error(exc: BaseException, target: BrokerTarget, exchange: str) -> RabbitMqError:
    """The connector error for a failure while publishing on an open connection."""
    where = f"exchange '{exchange}' at {target.display()}"
    if isinstance(exc, RabbitMqError):
        return exc
    if isinstance(exc, aiormq.exceptions.ChannelNotFoundEntity):
        return ExchangeNotFoundError(f"RabbitMQ refused to publish to {where}: {_reason(exc)}")
    if isinstance(exc, aiormq.exceptions.ChannelClosed):  # access refused, precondition...
        return PublishRefusedError(f"RabbitMQ refused to publish to {where}: {_reason(exc)}")
    if isinstance(exc, aio_pika.exceptions.DeliveryError):
        return PublishRefusedError(
            f"RabbitMQ did not accept the message for {where} (negative confirmation)"
        )
    if isinstance(exc, TimeoutError):
        return PublishUnconfirmedError(
            f"RabbitMQ did not confirm the message for {where} in time; "
            "it may or may not have been published"
        )
    if isinstance(
        exc, OSError | aiormq.exceptions.AMQPError | aiormq.exceptions.ChannelInvalidStateError
    ):
        return PublishUnconfirmedError(
            f"The connection to RabbitMQ was lost while publishing to {where} "
            f"({_reason(exc)}); the message may or may not have been published"
        )
    return PublishFailedError(f"Publishing to {where} failed: {type(exc).__name__}")


def _reason(exc: BaseException) -> str:
    """The library's explanation, one line. aiormq's exceptions carry the broker's reply
    text (``NOT_FOUND - no exchange 'x' in vhost '/'``) or the socket error; neither holds
    a password."""
    if isinstance(exc, aiormq.exceptions.AMQPError) and exc.args:
        first = exc.args[0]
        if isinstance(first, int) and len(exc.args) > 1:  # (errno, text)
            return str(exc.args[1])
        return str(first)
    return str(exc) or type(exc).__name__


async def close_quietly(resource: AbstractConnection | AbstractChannel | None) -> None:
    """Close a connection or channel, bounded, ignoring errors (it may already be dead)."""
    if resource is None:
        return
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            await resource.close()
