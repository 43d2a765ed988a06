"""The SDK's message capability (:class:`connectors.sdk.messages.MessageSender`) on top of
the engine protocol: publishing through an engine's ``ProcessCommands``, correlating through
a ``MessageCorrelation`` (Camunda's REST API). Engine adapters build one and pass it to
``ConnectorRuntime.execute``; so do test invocations, with the configured engine.

Engine errors become SDK errors: "not configured" is an input error (retries 0: no retry can
help until the configuration changes), a refusal or no answer a :class:`MessageCommandError`
(the job loses one retry, as any exception a Camunda connector lets through).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from app.runtime.engine import (
    EngineError,
    EngineNotConfiguredError,
    MessageCorrelation,
    MessageToPublish,
    ProcessCommands,
)
from connectors.sdk.errors import ConnectorInputError
from connectors.sdk.messages import (
    MessageCommandError,
    MessageCorrelated,
    MessageProblemError,
    MessagePublished,
    MessageToSend,
)

T = TypeVar("T")

CORRELATE_NEEDS_REST = (
    "Correlation mode 'correlate' needs Camunda's REST API (gRPC has no correlate command): "
    "set CAMUNDA_REST_ADDRESS, or use mode 'publish'"
)


class EngineMessageSender:
    """Implements ``MessageSender``: ``publisher`` publishes (``None``: no engine),
    ``correlator`` correlates (``None``: the REST API is not configured). ``rest_publisher``
    says the publisher speaks REST (its refusals are Camunda's ``ProblemException``)."""

    def __init__(
        self,
        publisher: ProcessCommands | None,
        correlator: MessageCorrelation | None = None,
        *,
        rest_publisher: bool = False,
    ) -> None:
        self._publisher = publisher
        self._correlator = correlator
        self._publish_error = MessageProblemError if rest_publisher else MessageCommandError

    async def publish_message(self, message: MessageToSend) -> MessagePublished:
        if self._publisher is None:
            raise _not_configured("no engine is configured: set ZEEBE_ADDRESS")
        published = await _sent(
            self._publisher.publish_message(_engine_message(message)), self._publish_error
        )
        return MessagePublished(message_key=published.key, tenant_id=published.tenant_id)

    async def correlate_message(self, message: MessageToSend) -> MessageCorrelated:
        if self._correlator is None:
            raise _not_configured(CORRELATE_NEEDS_REST)
        correlated = await _sent(
            self._correlator.correlate_message(_engine_message(message)), MessageProblemError
        )
        return MessageCorrelated(
            message_key=correlated.key,
            tenant_id=correlated.tenant_id,
            process_instance_key=correlated.process_instance_key,
        )


def _engine_message(message: MessageToSend) -> MessageToPublish:
    return MessageToPublish(
        name=message.name,
        correlation_key=message.correlation_key,
        variables=dict(message.variables),
        message_id=message.message_id,
        time_to_live_ms=message.time_to_live_ms,
        tenant_id=message.tenant_id,
        request_timeout_ms=message.request_timeout_ms,
    )


async def _sent(command: Awaitable[T], error: type[MessageCommandError]) -> T:
    try:
        return await command
    except EngineNotConfiguredError as exc:
        raise _not_configured(exc.message) from None
    except EngineError as exc:
        raise error(exc.detail or exc.message, reason=exc.reason) from None


def _not_configured(message: str) -> ConnectorInputError:
    return ConnectorInputError(message, code="ENGINE_NOT_CONFIGURED")
