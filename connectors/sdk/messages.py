"""Sending BPMN messages from an outbound connector: the engine capability a connector asks
for on its context (``context.messages``).

The runtime fills :attr:`OutboundContext.messages` with the engine adapter that took the job
(or, for test invocations, the configured engine), so a connector can publish a message to
Zeebe's message buffer or correlate one to a waiting process instance without knowing which
engine or protocol is behind it. Failures raise :class:`MessageCommandError` (the engine
refused the command, or did not answer) or :class:`ConnectorInputError` (no engine offers the
command: no retry can help).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from connectors.sdk.errors import SwitchboardError

CLIENT_STATUS_EXCEPTION = "io.camunda.client.api.command.ClientStatusException"
PROBLEM_EXCEPTION = "io.camunda.client.api.command.ProblemException"


@dataclass(frozen=True)
class MessageToSend:
    """One message. An empty ``correlation_key`` sends it without one (message start events).
    ``None`` leaves a value to the engine: its default time to live, its default tenant, the
    runtime's request timeout."""

    name: str
    correlation_key: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict, repr=False)  # may hold secrets
    message_id: str | None = None
    time_to_live_ms: int | None = None
    tenant_id: str | None = None
    request_timeout_ms: int | None = None


@dataclass(frozen=True)
class MessagePublished:
    """The engine buffered (and possibly already correlated) the message."""

    message_key: int
    tenant_id: str


@dataclass(frozen=True)
class MessageCorrelated:
    """The message reached ``process_instance_key``."""

    message_key: int
    tenant_id: str
    process_instance_key: int


@runtime_checkable
class MessageSender(Protocol):
    """Publish or correlate BPMN messages through the job's engine."""

    async def publish_message(self, message: MessageToSend) -> MessagePublished:
        """Publish (Zeebe ``PublishMessage``): buffered for its time to live."""
        ...

    async def correlate_message(self, message: MessageToSend) -> MessageCorrelated:
        """Correlate (``POST /v2/messages/correlation``): no buffer, answers with the process
        instance the message reached."""
        ...


class MessageCommandError(SwitchboardError):
    """The engine refused the message command, or did not answer.

    ``reason`` is the gRPC status name (``ALREADY_EXISTS``, ``NOT_FOUND``, ``UNAVAILABLE``,
    ...). The job fails as for any other exception (retries - 1, no error code), with the
    type Camunda's client raises over gRPC (``ClientStatusException``).
    """

    error_type: ClassVar[str] = CLIENT_STATUS_EXCEPTION

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class MessageProblemError(MessageCommandError):
    """:class:`MessageCommandError` of a REST command (Camunda's client raises
    ``ProblemException`` for a problem-detail answer)."""

    error_type: ClassVar[str] = PROBLEM_EXCEPTION
