"""Executables: the running instances of inbound connectors, one per group of elements that
share a configuration, and the table of webhook paths.

Grouping follows Camunda's deduplication (camunda/connectors connector-runtime-core
``InboundConnectorElement.deduplicationId`` and ``InboundConnectorDetailsUtil``):

- no ``deduplicationMode`` property (templates before deduplication existed): one executable
  per element;
- ``AUTO``: elements of one process (any version) whose connector properties within the
  connector's deduplication scope are equal share one executable;
- ``MANUAL``: elements of one process with the same ``deduplicationId`` share one; their
  scoped properties must then be equal, or the group fails with the differing names.

A webhook path can be served by one executable only. A second executable claiming the same
path is put in *standby* (health DOWN, "Context: X already in use by: process P(E)") and takes
over when the first one goes away, as Camunda's ``WebhookConnectorRegistry`` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.inbound.correlation import CorrelationElement, ElementConfigError, ElementSettings
from app.inbound.model import Registration

log = logging.getLogger("switchboard.inbound")

RUNTIME_PROPERTIES = frozenset(
    {
        "inbound.type",
        "deduplicationMode",
        "deduplicationId",
        "deduplicationModeManualFlag",
        "messageIdExpression",
        "correlationKeyExpression",
        "inbound.activationCondition",
        "activationCondition",
        "consumeUnmatchedEvents",
        "messageTtl",
        "synchronousResponse",
        "correlationRequired",
        "resultExpression",
        "resultVariable",
    }
)
State = Literal["active", "standby", "failed", "cancelled"]


@dataclass
class Group:
    """Elements that share one executable, before it is activated."""

    id: str
    connector_type: str
    registrations: list[Registration]
    error: str | None = None
    settings: dict[tuple[int, str], ElementSettings] = field(default_factory=dict)

    @property
    def first(self) -> Registration:
        return self.registrations[0]

    @property
    def order(self) -> tuple[int, str]:
        return min(r.key for r in self.registrations)

    def signature(self) -> str:
        """Changes whenever the group's elements or their properties change."""
        payload = sorted((r.key, sorted(r.properties.items())) for r in self.registrations)
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()

    def correlation_elements(self) -> list[CorrelationElement]:
        return [CorrelationElement(r, self.settings[r.key]) for r in self.registrations]

    @property
    def webhook_path(self) -> str | None:
        return self.first.properties.get("inbound.context")


def scoped_properties(properties: Mapping[str, str], scope: Sequence[str]) -> dict[str, str]:
    """The properties that decide deduplication (``propertiesForDeduplication``)."""
    if not scope:
        return {k: v for k, v in properties.items() if k not in RUNTIME_PROPERTIES}
    return {
        k: v for k, v in properties.items() if any(k == p or k.startswith(p + ".") for p in scope)
    }


def group_registrations(
    registrations: Sequence[Registration], scopes: Mapping[str, Sequence[str]]
) -> list[Group]:
    """Group registrations into executables; ``scopes`` maps connector type to its
    deduplication property prefixes."""
    groups: dict[str, Group] = {}
    failed: list[Group] = []
    for registration in registrations:
        d, props = registration.definition, registration.properties
        mode = props.get("deduplicationMode")
        scope = scopes.get(registration.connector_type, ())
        ident = (d.tenant_id, d.bpmn_process_id)
        error = None
        if mode is None:
            group_id = _digest(("legacy", d.tenant_id, d.process_definition_key, registration.key))
        elif mode == "AUTO":
            scoped = scoped_properties(props, scope)
            group_id = _digest(("auto", *ident, sorted(scoped.items())))
        elif mode == "MANUAL":
            manual = props.get("deduplicationId")
            if not manual:
                error = (
                    "Missing deduplicationId property, expected a value due to "
                    "deduplicationMode=MANUAL"
                )
            group_id = _digest(("manual", *ident, manual or registration.key))
        else:
            error = f"Invalid deduplicationMode property, expected AUTO or MANUAL, but was {mode}"
            group_id = _digest(("invalid", registration.key))
        if error is not None:
            failed.append(Group(group_id, registration.connector_type, [registration], error))
            continue
        group = groups.setdefault(group_id, Group(group_id, registration.connector_type, []))
        group.registrations.append(registration)
    result = [*groups.values(), *failed]
    for group in result:
        group.registrations.sort(key=lambda r: r.key)
        _check_group(group, scopes.get(group.connector_type, ()))
    result.sort(key=lambda g: g.order)
    return result


def _check_group(group: Group, scope: Sequence[str]) -> None:
    if group.error is not None:
        return
    if len({r.connector_type for r in group.registrations}) > 1:
        group.error = "All elements in a group must have the same type"
        return
    distinct = {
        tuple(sorted(scoped_properties(r.properties, scope).items())) for r in group.registrations
    }
    if len(distinct) > 1:
        keys: set[str] = set()
        first = dict(next(iter(distinct)))
        for other in distinct:
            other_map = dict(other)
            keys |= {k for k in first.keys() | other_map.keys() if first.get(k) != other_map.get(k)}
        group.error = (
            "All elements in a group must have the same properties (excluding runtime-level "
            f"properties). The following properties are different: {', '.join(sorted(keys))}"
        )
        return
    for registration in group.registrations:
        try:
            group.settings[registration.key] = ElementSettings.of(registration)
        except ElementConfigError as exc:
            group.error = f"element {registration.element.element_id!r}: {exc}"
            return


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:32]


def nest(properties: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1, "a.c": 2}`` -> ``{"a": {"b": 1, "c": 2}}``; a clash is a ValueError."""
    nested: dict[str, Any] = {}
    for dotted, value in properties.items():
        parts = dotted.split(".")
        target = nested
        for part in parts[:-1]:
            if not part:
                raise ValueError(f"Detected malformed Connector properties: empty key in {dotted}")
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"Detected malformed Connector properties: Duplicate key: {part}")
            target = child
        if parts[-1] in target:
            raise ValueError(f"Detected malformed Connector properties: Duplicate key: {parts[-1]}")
        target[parts[-1]] = value
    return nested


@dataclass
class Executable:
    """One activated (or failed, or waiting) connector instance."""

    group: Group
    state: State
    instance: Any = None
    context: Any = None
    error: str | None = None
    element_properties: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.group.id

    @property
    def webhook_path(self) -> str | None:
        return self.group.webhook_path

    async def deactivate(self) -> None:
        if self.instance is None:
            return
        deactivate = getattr(self.instance, "deactivate", None)
        if callable(deactivate):
            try:
                result = deactivate()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception(
                    "inbound connector %s failed to deactivate", self.group.connector_type
                )
        self.instance = None


class WebhookTable:
    """Webhook path -> the executable serving it (plus those waiting in standby)."""

    def __init__(self) -> None:
        self._paths: dict[str, list[Executable]] = {}

    def active(self, path: str) -> Executable | None:
        for executable in self._paths.get(path, ()):
            if executable.state == "active":
                return executable
        return None

    def claim(self, executable: Executable) -> Executable | None:
        """Add ``executable`` under its path; returns the one already serving it, if any."""
        path = executable.webhook_path
        if path is None:
            return None
        queue = self._paths.setdefault(path, [])
        current = next((e for e in queue if e.state == "active"), None)
        queue.append(executable)
        return current

    def release(self, executable: Executable) -> list[Executable]:
        """Remove ``executable``; returns the standby executables of its path, oldest first."""
        path = executable.webhook_path
        if path is None or path not in self._paths:
            return []
        queue = [e for e in self._paths[path] if e is not executable]
        if queue:
            self._paths[path] = queue
        else:
            del self._paths[path]
        if any(e.state == "active" for e in queue):
            return []
        return [e for e in queue if e.state == "standby"]

    def paths(self) -> dict[str, list[Executable]]:
        return {k: list(v) for k, v in self._paths.items()}

    def clear(self) -> None:
        self._paths.clear()


def in_use_message(path: str, owner: Executable) -> str:
    users = ", ".join(
        f"process {r.definition.bpmn_process_id}({r.element.element_id})"
        for r in owner.group.registrations
    )
    return f"Context: {path} already in use by: {users}"


@contextlib.contextmanager
def suppress_and_log(what: str) -> Any:
    try:
        yield
    except Exception:
        log.exception("%s failed", what)
