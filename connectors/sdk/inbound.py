"""Inbound connectors: the ``@inbound_connector`` decorator, the context the runtime hands an
activated connector, and the typed results of a correlation.

An inbound connector is a class. The runtime creates one instance per *executable* (the
elements of one process that share the connector's configuration), calls
``activate(context)`` once, and ``deactivate()`` when the process definition is replaced or
the runtime stops. A long-running connector (a poller, a consumer) starts its own task in
``activate`` and calls ``await context.correlate(variables)`` for every event; a webhook
connector also implements the request handler of :mod:`connectors.sdk.webhook` and the
runtime calls it for every HTTP request on its path::

    class Properties(BaseModel):
        inbound: Inner

    @inbound_connector(name="Ticker", type="io.example:ticker:1", properties=Properties)
    class Ticker:
        async def activate(self, context: InboundContext) -> None:
            self.props = context.bind(Properties)
            ...

        async def deactivate(self) -> None: ...
"""

from __future__ import annotations

import builtins
import datetime as dt
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationInfo

from connectors.sdk.fields import Group

M = TypeVar("M", bound=BaseModel)
C = TypeVar("C", bound=type)

ElementKind = Literal[
    "start_event",
    "message_start_event",
    "intermediate_catch_event",
    "boundary_event",
    "receive_task",
]
ALL_ELEMENT_KINDS: tuple[ElementKind, ...] = (
    "start_event",
    "message_start_event",
    "intermediate_catch_event",
    "boundary_event",
    "receive_task",
)
Severity = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


# -- what the connector is told about its elements ---------------------------------------------


@dataclass(frozen=True)
class InboundElement:
    """One BPMN element carrying the connector (its process definition and correlation data)."""

    bpmn_process_id: str
    version: int
    process_definition_key: int
    element_id: str
    kind: ElementKind
    tenant_id: str = "<default>"
    element_name: str | None = None
    message_name: str | None = None
    template_id: str | None = None
    template_version: str | None = None
    attached_to: str | None = None  # a boundary event: the activity it is attached to


# -- health and activity -----------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """What a connector reports about itself: ``UP``, ``DOWN`` (with an error) or ``UNKNOWN``."""

    status: Literal["UP", "DOWN", "UNKNOWN"]
    error: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def up(cls, **details: Any) -> Health:
        return cls("UP", None, details)

    @classmethod
    def down(cls, error: str | BaseException, **details: Any) -> Health:
        text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        return cls("DOWN", text, details)

    @classmethod
    def unknown(cls) -> Health:
        return cls("UNKNOWN")


@dataclass(frozen=True)
class Activity:
    """One entry of a connector's activity log."""

    severity: Severity
    tag: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


# -- correlation results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlated:
    """The event reached the engine: a process instance was created or a message published.

    ``correlation`` is what a webhook's response expression sees as ``correlation``
    (``{processInstanceKey, tenantId}`` or ``{messageKey, tenantId}``).
    """

    element: InboundElement
    kind: Literal["instance_created", "message_published", "message_correlated"]
    tenant_id: str
    process_instance_key: int | None = None
    message_key: int | None = None
    result_variables: Mapping[str, Any] | None = None  # a synchronous start event's result

    @property
    def correlation(self) -> dict[str, Any]:
        data: dict[str, Any] = {"tenantId": self.tenant_id}
        if self.process_instance_key is not None:
            data["processInstanceKey"] = self.process_instance_key
        if self.message_key is not None:
            data["messageKey"] = self.message_key
        if self.result_variables is not None:
            data["variables"] = dict(self.result_variables)
        return data


@dataclass(frozen=True)
class AlreadyCorrelated:
    """A message with the same message id is still buffered by the engine: this event was
    *not* correlated again (Camunda answers the webhook caller with 200 all the same)."""

    element: InboundElement
    message_id: str


@dataclass(frozen=True)
class ActivationConditionNotMet:
    """No element's activation condition held. ``consume`` is the element's
    ``consumeUnmatchedEvents``: True means "discard the event quietly"."""

    consume: bool
    message: str = "Activation condition not met"


@dataclass(frozen=True)
class CorrelationFailed:
    """The event could not be correlated.

    ``reason`` is ``INVALID_INPUT`` (an expression or the variables are unusable: retrying the
    same event cannot help), ``ENGINE`` (the engine refused or did not answer; ``status`` is
    the gRPC status name) or ``OTHER``.
    """

    reason: Literal["INVALID_INPUT", "ENGINE", "OTHER"]
    message: str
    status: str | None = None

    @property
    def retryable(self) -> bool:
        return self.reason != "INVALID_INPUT"


CorrelationResult = Correlated | AlreadyCorrelated | ActivationConditionNotMet | CorrelationFailed


def is_success(result: CorrelationResult) -> bool:
    """True for results Camunda treats as success (the caller gets a 2xx)."""
    return isinstance(result, Correlated | AlreadyCorrelated)


# -- the context --------------------------------------------------------------------------------


@runtime_checkable
class ProcessInstanceContext(Protocol):
    """One token waiting at a connector element, as Camunda's ``ProcessInstanceContext``:
    the request is bound against its variables and an event is correlated to it."""

    @property
    def key(self) -> int:
        """The process instance key."""
        ...

    @property
    def element_instance_key(self) -> int:
        """The element instance key: what identifies the token (a multi-instance body may
        hold several at one element)."""
        ...

    @property
    def element(self) -> InboundElement:
        """The connector element the token waits at (or whose activity it is attached to)."""
        ...

    def task_key(self, prefix: str = "") -> str:
        """``prefix + processInstanceKey + ":" + elementInstanceKey``, a stable key for
        per-token work (Camunda's ``ProcessInstanceContext.taskKey``)."""
        ...

    async def bind(self, model: type[M]) -> M:
        """As :meth:`InboundContext.bind`, with FEEL evaluated against the instance's
        current variables (looked up for every call). Raises ``ConnectorInputError`` naming
        the fields, ``ConnectorError`` when the variables cannot be read."""
        ...

    async def correlate(self, variables: Mapping[str, Any]) -> CorrelationResult:
        """Correlate an event for this token: the message id is ``elementId +
        elementInstanceKey`` unless the element sets a ``messageIdExpression``."""
        ...


@runtime_checkable
class InboundContext(Protocol):
    """What the runtime offers an activated inbound connector."""

    @property
    def properties(self) -> Mapping[str, Any]:
        """The element's ``zeebe:properties``, nested at the dots (``inbound.auth.type`` ->
        ``{"inbound": {"auth": {"type": ...}}}``), ``{{secrets.NAME}}`` already resolved."""
        ...

    @property
    def elements(self) -> Sequence[InboundElement]:
        """The BPMN elements this executable serves (several when deduplicated)."""
        ...

    def bind(self, model: type[M]) -> M:
        """Validate :attr:`properties` into ``model``; fields marked :data:`FEEL` have their
        ``=expression`` evaluated first. Raises ``ConnectorInputError`` naming every field."""
        ...

    def evaluate(self, expression: str, variables: Mapping[str, Any]) -> Any:
        """Evaluate a FEEL expression (a leading ``=`` is optional) against ``variables``.
        Raises ``ConnectorInputError`` when it does not compile or fails."""
        ...

    async def correlate(
        self, variables: Mapping[str, Any], *, message_id: str | None = None
    ) -> CorrelationResult:
        """Hand an event to the engine through the element whose activation condition holds.
        Never raises: every outcome is a :data:`CorrelationResult`. ``message_id`` is used
        when the element sets no ``messageIdExpression``."""
        ...

    def can_activate(self, variables: Mapping[str, Any]) -> bool:
        """Whether some element's activation condition holds for ``variables``."""
        ...

    @property
    def process_instances_available(self) -> bool:
        """Whether :meth:`process_instances` can list the instances waiting at the elements
        (the runtime needs Camunda's Orchestration Cluster REST API for it)."""
        ...

    async def process_instances(self) -> Sequence[ProcessInstanceContext]:
        """The element instances waiting at this executable's elements now (for a boundary
        event: at the activity it is attached to), as Camunda's
        ``InboundIntermediateConnectorContext.getProcessInstanceContexts``. Raises
        ``ConnectorError`` when the look-up fails, ``ConnectorInputError`` when
        :attr:`process_instances_available` is false."""
        ...

    def cancel(self, error: BaseException | str | None = None) -> None:
        """Stop this executable for good, as Camunda's ``InboundConnectorContext.cancel``
        (a consumer the broker cancelled, say): the runtime calls ``deactivate()`` from a task
        of its own and shows the elements ``cancelled`` with health DOWN and ``error``, until
        the process is deployed again or the replica restarts. Returns at once."""
        ...

    def report_health(self, health: Health) -> None: ...

    def log(
        self,
        message: str,
        *,
        severity: Severity = "INFO",
        tag: str = "Connector",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Append to the activity log (kept in memory, newest last, secrets masked)."""
        ...


def _evaluate_feel(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, str) and value.lstrip().startswith("="):
        evaluate = (info.context or {}).get("evaluate")
        if callable(evaluate):
            return evaluate(value)
    return value


class FeelValue:
    """Marks a field whose ``=expression`` the runtime evaluates when binding (as Camunda's
    ``@FEEL``): ``scopes: Annotated[list[str], FEEL]``. Fields meant to be evaluated later, per
    event, stay plain strings and go through :meth:`InboundContext.evaluate`."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.with_info_before_validator_function(_evaluate_feel, handler(source))


FEEL = FeelValue()
"""Use as ``Annotated[T, FEEL]``."""


# -- the decorator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundConnector:
    """An inbound connector class plus what the runtime and the template generator need."""

    cls: builtins.type
    name: str
    type: str
    version: int = 1
    properties: builtins.type[BaseModel] | None = None
    element_kinds: tuple[ElementKind, ...] = ALL_ELEMENT_KINDS
    deduplication_properties: tuple[str, ...] = ()
    description: str | None = None
    icon: str | None = None
    documentation_url: str | None = None
    template_id: str | None = None
    template_ids: Mapping[str, str] = field(default_factory=dict)  # element kind -> id
    groups: tuple[Group, ...] = ()
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_webhook(self) -> bool:
        """Whether the class handles HTTP requests (``handle_request``)."""
        return callable(getattr(self.cls, "handle_request", None))

    def create(self) -> Any:
        """A new, not yet activated instance."""
        return self.cls()


def inbound_connector(
    *,
    name: str,
    type: str,
    version: int = 1,
    properties: builtins.type[BaseModel] | None = None,
    element_kinds: Sequence[ElementKind] = ALL_ELEMENT_KINDS,
    deduplication_properties: Sequence[str] = (),
    description: str | None = None,
    icon: str | None = None,
    documentation_url: str | None = None,
    template_id: str | None = None,
    template_ids: Mapping[ElementKind, str] | None = None,
    groups: Sequence[Group] = (),
    extra: Mapping[str, Any] | None = None,
) -> Callable[[C], C]:
    """Declare a class as an inbound connector.

    The class needs ``activate(context)`` and may have ``deactivate()`` (both sync or async).
    ``properties`` is the pydantic model of its ``zeebe:properties`` (used for its element
    templates). ``deduplication_properties`` are the property prefixes (``inbound.context``,
    ``inbound.auth``) that decide which elements of one process share one executable under
    ``deduplicationMode=AUTO``; empty means every property except the runtime's own.
    ``template_ids`` names the element template of each element kind (default: ``template_id``
    or the type, with a suffix per kind). ``extra`` holds options for the runtime and the
    template generator (``runtime_properties_omitted``: ids of the runtime's template
    properties the connector's elements do not offer, e.g. ``synchronousResponse``). The
    decorated class is returned unchanged, with the definition as ``__inbound_connector__``.
    """

    def decorate(cls: C) -> C:
        if not inspect.isclass(cls):
            raise TypeError(f"@inbound_connector decorates a class, not {cls!r}")
        if not callable(getattr(cls, "activate", None)):
            raise TypeError(f"inbound connector {name!r}: the class needs activate(context)")
        kinds = tuple(element_kinds)
        unknown = [k for k in kinds if k not in ALL_ELEMENT_KINDS]
        if unknown or not kinds:
            raise ValueError(f"inbound connector {name!r}: unknown element kinds {unknown}")
        definition = InboundConnector(
            cls=cls,
            name=name,
            type=type,
            version=version,
            properties=properties,
            element_kinds=kinds,
            deduplication_properties=tuple(deduplication_properties),
            description=description or inspect.getdoc(cls),
            icon=icon,
            documentation_url=documentation_url,
            template_id=template_id,
            template_ids={str(k): v for k, v in (template_ids or {}).items()},
            groups=tuple(groups),
            source=f"{cls.__module__}:{cls.__qualname__}",
            extra=dict(extra or {}),
        )
        cls.__inbound_connector__ = definition  # type: ignore[attr-defined]
        return cls

    return decorate


def definition_of(obj: Any) -> InboundConnector | None:
    """The :class:`InboundConnector` of a decorated class (or the definition itself)."""
    if isinstance(obj, InboundConnector):
        return obj
    found = getattr(obj, "__inbound_connector__", None)
    return found if isinstance(found, InboundConnector) else None
