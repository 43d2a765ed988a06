"""The inbound vocabulary: process definitions, element registrations, and what a discovery
source or a deployment hands to the inbound service.

A :class:`Registration` is one inbound connector element of one deployed process definition
version. Registrations live in the database (``inbound_definitions`` + ``inbound_elements``),
so every replica and every restart serves the same webhooks; each replica turns the active
ones into running *executables* (see :mod:`app.inbound.executables`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from app.inbound.bpmn import InboundElementSpec, parse_processes
from connectors.sdk.inbound import ElementKind, InboundElement

DEFAULT_TENANT = "<default>"
START_KINDS: frozenset[ElementKind] = frozenset({"start_event", "message_start_event"})
DefinitionOrigin = Literal["deployment", "discovery"]


@dataclass(frozen=True)
class DefinitionRef:
    """One deployed process definition version, as the engine numbered it."""

    process_definition_key: int
    bpmn_process_id: str
    version: int
    tenant_id: str = DEFAULT_TENANT
    resource_name: str = ""


@dataclass(frozen=True)
class Registration:
    """One inbound connector element of one process definition version."""

    definition: DefinitionRef
    element: InboundElementSpec
    origin: DefinitionOrigin = "deployment"
    registered_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.definition.process_definition_key, self.element.element_id)

    @property
    def connector_type(self) -> str:
        return self.element.connector_type

    @property
    def properties(self) -> Mapping[str, str]:
        return self.element.properties

    def info(self) -> InboundElement:
        d, e = self.definition, self.element
        return InboundElement(
            bpmn_process_id=d.bpmn_process_id,
            version=d.version,
            process_definition_key=d.process_definition_key,
            element_id=e.element_id,
            kind=e.kind,
            tenant_id=d.tenant_id,
            element_name=e.element_name,
            message_name=e.message_name,
            template_id=e.template_id,
            template_version=e.template_version,
            attached_to=e.attached_to,
        )


@dataclass(frozen=True)
class DefinitionState:
    """What the store knows of one definition: its registrations and whether the version
    still has open message subscriptions (None: unknown, treated as yes)."""

    definition: DefinitionRef
    registrations: tuple[Registration, ...]
    has_subscriptions: bool | None = None
    origin: DefinitionOrigin = "deployment"


def registrations_for(
    definition: DefinitionRef, xml: bytes, origin: DefinitionOrigin = "deployment"
) -> list[Registration]:
    """The inbound elements of ``definition``'s process in a BPMN document."""
    for process in parse_processes(xml):
        if process.bpmn_process_id == definition.bpmn_process_id:
            return [Registration(definition, element, origin) for element in process.elements]
    return []


def active_registrations(states: Sequence[DefinitionState]) -> list[Registration]:
    """The registrations to serve, as Camunda's runtime picks them.

    Start events (plain and message) only of the latest known version of each process;
    message elements (intermediate catch, boundary, receive task) of every version that may
    still have instances waiting (``has_subscriptions`` not False) and of the latest one
    (camunda/connectors ProcessStateManagerImpl.filterStartEvents and
    ProcessStateContainerImpl: a version stays while it is latest or has subscriptions).
    """
    latest: dict[tuple[str, str], int] = {}
    for state in states:
        d = state.definition
        ident = (d.tenant_id, d.bpmn_process_id)
        latest[ident] = max(latest.get(ident, 0), d.version)
    active: list[Registration] = []
    for state in states:
        d = state.definition
        is_latest = latest[(d.tenant_id, d.bpmn_process_id)] == d.version
        if not is_latest and state.has_subscriptions is False:
            continue
        for registration in state.registrations:
            if registration.element.kind in START_KINDS and not is_latest:
                continue
            active.append(registration)
    return active


# -- where definitions come from ---------------------------------------------------------------


@dataclass(frozen=True)
class DiscoveredDefinition:
    """A definition a discovery source reports, with its BPMN XML."""

    definition: DefinitionRef
    xml: bytes


@runtime_checkable
class DefinitionSource(Protocol):
    """A source of process definitions and their XML (e.g. the Orchestration Cluster REST
    API). The inbound service polls it every ``SWITCHBOARD_INBOUND_POLL_INTERVAL``.

    ``latest_definitions`` returns the latest version of every process (per tenant);
    ``definitions_with_subscriptions`` the keys of versions with open message subscriptions,
    or None when the source cannot tell (then older versions' message elements stay active);
    ``definition`` one definition by key (an older version with subscriptions the service
    does not know yet); ``xml`` the BPMN of one definition.
    """

    name: str

    async def latest_definitions(self) -> Sequence[DefinitionRef]: ...

    async def definitions_with_subscriptions(self) -> set[int] | None: ...

    async def definition(self, key: int) -> DefinitionRef: ...

    async def xml(self, definition: DefinitionRef) -> bytes: ...


# -- persistence --------------------------------------------------------------------------------


@runtime_checkable
class RegistrationStore(Protocol):
    """Where registrations are kept (implemented by ``app.db.inbound_repo``).

    Every change bumps a generation counter in the same transaction; replicas compare it to
    decide whether to reload.
    """

    async def generation(self) -> int: ...

    async def load(self) -> list[DefinitionState]: ...

    async def save_definitions(
        self, definitions: Sequence[tuple[DefinitionRef, Sequence[Registration]]]
    ) -> int:
        """Insert (or replace) definitions with their registrations; returns the generation."""
        ...

    async def set_subscriptions(
        self, keys_with: set[int] | None, origins: Collection[DefinitionOrigin]
    ) -> int:
        """Record which definitions of these ``origins`` still have open message
        subscriptions (None: unknown)."""
        ...

    async def remove_definitions(self, keys: Sequence[int]) -> int: ...


@dataclass(frozen=True)
class RegisteredElement:
    """What a deployment answer lists for one inbound element."""

    bpmn_process_id: str
    version: int
    process_definition_key: int
    element_id: str
    kind: ElementKind
    connector_type: str
    webhook_path: str | None
    state: str
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
