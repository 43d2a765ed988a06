"""The engine protocol: what the application needs of an engine adapter.

An engine adapter (``app/engines/<name>``) is the only place that imports its engine's client.
It takes jobs from the engine, runs each through :class:`app.runtime.executor.ConnectorRuntime`
and sends the returned outcome back; it also offers the few commands inbound connectors and
deployments need. The application holds its adapters as :class:`Engine` objects and never
looks inside them, so adding an engine touches neither ``app/runtime`` nor ``app/inbound``.

Errors of these commands form one tree under :class:`EngineError`; ``reason`` uses gRPC's
status names as the shared vocabulary (REST engines map their HTTP answers onto them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

DEFAULT_TENANT = "<default>"


# -- commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageToPublish:
    """A message for Zeebe's message correlation (``PublishMessage``)."""

    name: str
    correlation_key: str
    variables: Mapping[str, Any] = field(default_factory=dict, repr=False)  # may hold secrets
    message_id: str | None = None
    time_to_live_ms: int | None = None  # None: the engine's default (Zeebe: 1 hour)
    tenant_id: str | None = None
    request_timeout_ms: int | None = None  # None: the adapter's request timeout


@dataclass(frozen=True)
class PublishedMessage:
    key: int
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class CorrelatedMessage:
    """The answer of a correlation: the message and the process instance it reached."""

    key: int
    tenant_id: str
    process_instance_key: int


@dataclass(frozen=True)
class InstanceToCreate:
    """Start a process instance of exactly one definition.

    Give ``process_definition_key``, or ``bpmn_process_id`` with ``version`` (-1 means the
    latest version, which inbound start events never use: they name the version whose element
    was activated).
    """

    bpmn_process_id: str | None = None
    version: int = -1
    process_definition_key: int | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    tenant_id: str | None = None
    await_result: bool = (
        False  # wait for the instance to complete (CreateProcessInstanceWithResult)
    )
    request_timeout_ms: int | None = None  # with await_result: how long to wait


@dataclass(frozen=True)
class CreatedInstance:
    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    version: int
    tenant_id: str = DEFAULT_TENANT
    variables: Mapping[str, Any] | None = None  # the completed instance's (await_result only)


@dataclass(frozen=True)
class Resource:
    """A file to deploy (BPMN, DMN, form)."""

    name: str
    content: bytes


@dataclass(frozen=True)
class DeployedProcess:
    bpmn_process_id: str
    version: int
    process_definition_key: int
    resource_name: str
    tenant_id: str = DEFAULT_TENANT


@dataclass(frozen=True)
class Deployment:
    key: int
    processes: tuple[DeployedProcess, ...] = ()
    tenant_id: str = DEFAULT_TENANT


# -- the protocol ----------------------------------------------------------------------


@runtime_checkable
class Engine(Protocol):
    """One engine adapter, started and stopped by the application's lifespan."""

    name: str
    """Stable name: ``zeebe``, ``camunda-rest``, ``camunda7``."""

    @property
    def enabled(self) -> bool:
        """False when its settings leave it off (then start/stop are no-ops)."""
        ...

    async def start(self) -> None:
        """Begin taking jobs; returns at once (never waits for the engine to answer)."""
        ...

    async def stop(self) -> None:
        """Stop taking jobs, let running ones finish within the grace period."""
        ...

    def status(self) -> dict[str, Any]:
        """Readiness: ``{"status": "up" | "down" | "disabled", ...}``."""
        ...

    def running_jobs(self) -> Mapping[str, int]:
        """Jobs being executed right now, by job type."""
        ...


@runtime_checkable
class ProcessCommands(Protocol):
    """Commands beyond jobs: what inbound connectors and deployments send to an engine."""

    async def publish_message(self, message: MessageToPublish) -> PublishedMessage: ...

    async def create_process_instance(self, instance: InstanceToCreate) -> CreatedInstance: ...

    async def deploy_resources(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> Deployment: ...


@runtime_checkable
class MessageCorrelation(Protocol):
    """Correlate a message without buffering it (Camunda's REST API only: gRPC has no such
    command). ``time_to_live_ms`` and ``message_id`` of the message are not used."""

    async def correlate_message(self, message: MessageToPublish) -> CorrelatedMessage: ...


# -- errors ----------------------------------------------------------------------------


class EngineError(Exception):
    """A command could not be carried out by the engine."""

    def __init__(self, message: str, *, reason: str = "UNKNOWN", detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.detail = detail  # the engine's own explanation, when it gave one


class EngineUnavailableError(EngineError):
    """The engine did not answer (down, unreachable, timed out): worth retrying later."""

    def __init__(
        self, message: str, *, reason: str = "UNAVAILABLE", detail: str | None = None
    ) -> None:
        super().__init__(message, reason=reason, detail=detail)


class EngineRejectedError(EngineError):
    """The engine answered and refused the command; ``reason`` says why (``NOT_FOUND``,
    ``ALREADY_EXISTS``, ``INVALID_ARGUMENT``, ``FAILED_PRECONDITION``,
    ``RESOURCE_EXHAUSTED``, ``PERMISSION_DENIED``, ``UNAUTHENTICATED``, ...)."""


class EngineNotConfiguredError(EngineError):
    """No configured engine offers this command."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="UNIMPLEMENTED")
