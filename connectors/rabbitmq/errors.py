"""The RabbitMQ connectors' errors: one tree, stable names, no error codes.

Camunda's RabbitMQ connector raises plain Java exceptions (``IllegalArgumentException``,
``IOException``, ``AuthenticationFailureException``...), which its runtime turns into an
ordinary failure: retries - 1 with the task's backoff, and no ``error.code``
(camunda/connectors ``connector-runtime-spring/.../OutboundConnectorExceptionHandler.java``).
These errors do the same: they are :class:`ConnectorError` with code ``None``. Only invalid
input bound from the template (blank required fields) is a ``ConnectorInputError``
(retries 0), raised by the SDK's binding or by the connector before it connects.

Messages never contain a password: targets are shown as ``amqp://user@host:port/vhost``.

::

    RabbitMqError
    ├── InvalidMessageError        message.properties / message.body cannot be sent
    │   └── UnsupportedPropertyError   a properties key AMQP does not have
    ├── InvalidConnectionError     the URI or the port cannot be used
    ├── BrokerConnectionError      no usable connection to the broker
    │   ├── BrokerUnreachableError     refused, unknown host, timed out, dropped
    │   ├── AuthenticationFailedError  the broker refused the login
    │   └── VirtualHostRefusedError    the virtual host is missing or not allowed
    └── PublishFailedError         the broker did not take the message
        ├── ExchangeNotFoundError      no such exchange in the virtual host
        ├── PublishRefusedError        refused (access, precondition, nack)
        └── PublishUnconfirmedError    no confirmation came (timeout, connection lost)
"""

from __future__ import annotations

from connectors.sdk import ConnectorError


class RabbitMqError(ConnectorError):
    """Base of every RabbitMQ connector failure (code ``None``: Camunda sets none)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class InvalidMessageError(RabbitMqError):
    """``message.properties`` or ``message.body`` cannot become an AMQP message."""


class UnsupportedPropertyError(InvalidMessageError):
    """A ``message.properties`` key that is not an AMQP basic property (Camunda's message:
    ``Unsupported field [name] for properties``)."""


class InvalidConnectionError(RabbitMqError):
    """The connection URI or port cannot be used (bad scheme, user info, path or number)."""


class BrokerConnectionError(RabbitMqError):
    """No usable connection to the broker could be opened."""


class BrokerUnreachableError(BrokerConnectionError):
    """The broker did not answer: connection refused, unknown host, timeout, dropped."""


class AuthenticationFailedError(BrokerConnectionError):
    """The broker refused the user name or password (``ACCESS_REFUSED``)."""


class VirtualHostRefusedError(BrokerConnectionError):
    """The broker would not open the virtual host (missing, or the user may not use it)."""


class PublishFailedError(RabbitMqError):
    """The broker did not take the message."""


class ExchangeNotFoundError(PublishFailedError):
    """The exchange does not exist in the virtual host (``NOT_FOUND``)."""


class PublishRefusedError(PublishFailedError):
    """The broker refused the message: access refused, a failed precondition (a bad
    ``expiration``, a ``userId`` other than the logged-in user...) or a negative confirm."""


class PublishUnconfirmedError(PublishFailedError):
    """No confirmation arrived (timeout or connection lost): the broker may or may not have
    the message, so a retry can deliver it twice."""


class SubscriptionFailedError(RabbitMqError):
    """The inbound connector could not start consuming its queue."""


class QueueNotFoundError(SubscriptionFailedError):
    """The queue to consume does not exist in the virtual host (``NOT_FOUND``)."""


__all__ = [
    "AuthenticationFailedError",
    "BrokerConnectionError",
    "BrokerUnreachableError",
    "ExchangeNotFoundError",
    "InvalidConnectionError",
    "InvalidMessageError",
    "PublishFailedError",
    "PublishRefusedError",
    "PublishUnconfirmedError",
    "QueueNotFoundError",
    "RabbitMqError",
    "SubscriptionFailedError",
    "UnsupportedPropertyError",
    "VirtualHostRefusedError",
]
