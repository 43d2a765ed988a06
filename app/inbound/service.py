"""The inbound service: registrations in, running executables and served webhooks out.

- :meth:`InboundService.deploy` sends resources to the engine and registers the inbound
  elements of what it accepted, under the keys and versions it returned;
- :meth:`InboundService.register` records definitions found by a discovery source;
- every ``poll_interval`` the service compares the store's generation with the one it last
  loaded and, when another replica changed something, reloads (and polls its discovery
  sources); :meth:`reload` turns the active registrations into executables;
- :meth:`handle_webhook` serves one request on ``/inbound/{path}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.inbound.bpmn import parse_processes
from app.inbound.context import RuntimeContext
from app.inbound.correlation import DEFAULT_MESSAGE_TTL, Correlator
from app.inbound.executables import (
    RUNTIME_PROPERTIES,
    Executable,
    Group,
    WebhookTable,
    group_registrations,
    in_use_message,
    nest,
)
from app.inbound.history import InboundHistorySink, InboundRecord
from app.inbound.instances import ElementInstanceSource
from app.inbound.model import (
    DefinitionOrigin,
    DefinitionRef,
    DefinitionSource,
    DefinitionState,
    RegisteredElement,
    Registration,
    RegistrationStore,
    active_registrations,
    registrations_for,
)
from app.inbound.registry import InboundRegistry
from app.inbound.webhooks import HttpAnswer, WebhookCall, request_view
from app.runtime.engine import Deployment, ProcessCommands, Resource
from app.runtime.feel_runner import INLINE, FeelRunner
from app.runtime.payload import cap_payload
from connectors.sdk.inbound import Health
from connectors.sdk.placeholders import names_in, substitute
from connectors.sdk.webhook import WebhookRequestHead

log = logging.getLogger("switchboard.inbound")


@dataclass(frozen=True)
class InboundOptions:
    poll_interval_seconds: float = 5.0
    max_body_bytes: int = 4 * 1024 * 1024
    message_ttl: dt.timedelta = DEFAULT_MESSAGE_TTL
    max_variables_bytes: int = 3 * 1024 * 1024 // 2
    sync_timeout_ms: int = 30_000
    history_limit: int = 64 * 1024


@dataclass(frozen=True)
class _SecretScope:
    tenant_id: str
    bpmn_process_id: str


@dataclass(frozen=True)
class DeployResult:
    deployment: Deployment
    elements: list[RegisteredElement] = field(default_factory=list)


class InboundService:
    def __init__(
        self,
        *,
        store: RegistrationStore,
        registry: InboundRegistry,
        commands: ProcessCommands,
        resolver: Any,
        mask: Callable[[Any], Any],
        history: InboundHistorySink | None = None,
        options: InboundOptions | None = None,
        sources: Sequence[DefinitionSource] = (),
        feel: FeelRunner | None = None,
        instances: ElementInstanceSource | None = None,
    ) -> None:
        self.feel = feel or INLINE
        self.instances = instances
        self.store = store
        self.registry = registry
        self.commands = commands
        self.resolver = resolver
        self.mask = mask
        self.history = history
        self.options = options or InboundOptions()
        self.sources = tuple(sources)
        self.executables: dict[str, Executable] = {}
        self.webhooks = WebhookTable()
        self.generation: int | None = None
        self.last_error: str | None = None
        self._states: list[DefinitionState] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._cancellations: set[asyncio.Task[None]] = set()

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the registrations and start polling; a database that is down is retried."""
        try:
            await self.reload()
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}"
            log.warning("inbound: could not load registrations: %s", type(exc).__name__)
        self._task = asyncio.create_task(self._poll(), name="inbound-poll")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._cancellations):
            task.cancel()
        await asyncio.gather(*self._cancellations, return_exceptions=True)
        async with self._lock:
            for executable in list(self.executables.values()):
                await executable.deactivate()
            self.executables.clear()
            self.webhooks.clear()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.options.poll_interval_seconds)
            try:
                for source in self.sources:
                    await self.sync_source(source)
                if await self.store.generation() != self.generation:
                    await self.reload()
                self.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = type(exc).__name__
                log.warning("inbound poll failed: %s", type(exc).__name__)

    def status(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "status": "down" if self.last_error else "up",
            "executables": len(self.executables),
            "webhooks": len(self.webhooks.paths()),
        }
        if self.last_error:
            report["error"] = self.last_error
        return report

    # -- registrations --------------------------------------------------------------------

    async def deploy(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> DeployResult:
        """Deploy through the engine, then register what it accepted.

        BPMN files are parsed first: one the inbound parser refuses (an entity attack, no
        process) raises :class:`~app.inbound.bpmn.BpmnError` and nothing is deployed.
        """
        for resource in resources:
            if resource.name.lower().endswith((".bpmn", ".bpmn20.xml")):
                parse_processes(resource.content)
        deployment = await self.commands.deploy_resources(resources, tenant_id=tenant_id)
        by_name = {r.name: r.content for r in resources}
        definitions: list[tuple[DefinitionRef, list[Registration]]] = []
        for process in deployment.processes:
            ref = DefinitionRef(
                process.process_definition_key,
                process.bpmn_process_id,
                process.version,
                process.tenant_id,
                process.resource_name,
            )
            xml = by_name.get(process.resource_name)
            registrations = registrations_for(ref, xml) if xml is not None else []
            definitions.append((ref, registrations))
        elements = await self.register(definitions)
        return DeployResult(deployment, elements)

    async def register(
        self, definitions: Sequence[tuple[DefinitionRef, Sequence[Registration]]]
    ) -> list[RegisteredElement]:
        """Store definitions with their registrations and serve them at once."""
        await self.store.save_definitions(definitions)
        await self.reload()
        keys = {r.key for _, regs in definitions for r in regs}
        return [
            e for e in self.element_states() if (e.process_definition_key, e.element_id) in keys
        ]

    async def sync_source(self, source: DefinitionSource) -> None:
        """Record the latest definitions of a discovery source we do not know yet."""
        known = {s.definition.process_definition_key for s in self._states}
        new: list[tuple[DefinitionRef, list[Registration]]] = []
        latest = list(await source.latest_definitions())
        subscribed = await source.definitions_with_subscriptions()
        # Older versions with waiting instances are served too, known or not (Camunda's
        # runtime imports the latest and the "active" versions alike).
        older = sorted((subscribed or set()) - known - {r.process_definition_key for r in latest})
        for ref in [*latest, *[await source.definition(key) for key in older]]:
            if ref.process_definition_key in known:
                continue
            xml = await source.xml(ref)
            new.append((ref, registrations_for(ref, xml, origin="discovery")))
        if new:
            await self.store.save_definitions(new)
        # A source that can tell which versions have open subscriptions speaks for every
        # definition of the cluster, those deployed through Switchboard included.
        origins: tuple[DefinitionOrigin, ...] = (
            ("discovery",) if subscribed is None else ("discovery", "deployment")
        )
        await self.store.set_subscriptions(subscribed, origins)

    # -- executables ----------------------------------------------------------------------

    async def reload(self) -> None:
        """Make the running executables match the store's active registrations."""
        async with self._lock:
            generation = await self.store.generation()
            states = await self.store.load()
            groups = group_registrations(active_registrations(states), self.registry.scopes())
            desired = {g.id: g for g in groups}
            for executable_id, executable in list(self.executables.items()):
                wanted = desired.get(executable_id)
                if wanted is None or wanted.signature() != executable.group.signature():
                    await self._remove(executable)
            for group in groups:
                if group.id not in self.executables:
                    self.executables[group.id] = await self._add(group)
            await self._promote_standby()
            self._states = states
            self.generation = generation

    async def _remove(self, executable: Executable) -> None:
        del self.executables[executable.id]
        await executable.deactivate()
        self.webhooks.release(executable)

    async def _promote_standby(self) -> None:
        for executable in sorted(self.executables.values(), key=lambda e: e.group.order):
            if executable.state != "standby" or executable.webhook_path is None:
                continue
            if self.webhooks.active(executable.webhook_path) is None:
                await self._activate(executable)

    async def _add(self, group: Group) -> Executable:
        executable = Executable(group, "standby")
        definition = self.registry.get(group.connector_type)
        if definition is None:
            executable.state = "failed"
            executable.error = (
                f"No inbound connector is registered for type '{group.connector_type}'"
            )
            return executable
        if group.error is not None:
            executable.state, executable.error = "failed", group.error
            return executable
        if definition.is_webhook:
            path = group.webhook_path
            if not path:
                executable.state, executable.error = "failed", "Webhook path not provided"
                return executable
            owner = self.webhooks.claim(executable)
            if owner is not None:
                executable.error = in_use_message(path, owner)
                return executable
        await self._activate(executable)
        return executable

    async def _activate(self, executable: Executable) -> None:
        group = executable.group
        definition = self.registry.get(group.connector_type)
        assert definition is not None
        try:
            resolved = {r.key: await self._resolve(r) for r in group.registrations}
            connector_props = {
                k: v for k, v in resolved[group.first.key].items() if k not in RUNTIME_PROPERTIES
            }
            properties = nest(connector_props)
            executable.element_properties = {k: nest(v) for k, v in resolved.items()}
        except Exception as exc:
            executable.state = "failed"
            executable.error = self.mask(str(exc)) or type(exc).__name__
            return
        correlator = Correlator(
            group.correlation_elements(),
            self.commands,
            default_ttl=self.options.message_ttl,
            max_variables_bytes=self.options.max_variables_bytes,
            sync_timeout_ms=self.options.sync_timeout_ms,
            feel=self.feel,
        )
        context = RuntimeContext(
            connector_type=group.connector_type,
            properties=properties,
            elements=[r.info() for r in group.registrations],
            correlator=correlator,
            mask=self.mask,
            history=self.history,
            history_limit=self.options.history_limit,
            instances=self.instances,
        )
        context.element_properties = executable.element_properties
        executable.context = context
        context.on_cancel = functools.partial(self._schedule_cancel, executable)
        instance = definition.create()
        try:
            result = instance.activate(context)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            message = self.mask(getattr(exc, "message", None) or str(exc)) or type(exc).__name__
            context.report_health(Health.down(message))
            executable.state, executable.error = "failed", message
            with contextlib.suppress(Exception):
                deactivate = getattr(instance, "deactivate", None)
                if callable(deactivate):
                    outcome = deactivate()
                    if inspect.isawaitable(outcome):
                        await outcome
            return
        executable.instance = instance
        executable.state, executable.error = "active", None
        context.log("Executable activated", tag="Activation")

    def _schedule_cancel(self, executable: Executable, reason: str) -> None:
        # From the connector's own task: deactivating from there would wait for itself.
        task = asyncio.get_running_loop().create_task(self._cancel(executable, reason))
        self._cancellations.add(task)
        task.add_done_callback(self._cancellations.discard)

    async def _cancel(self, executable: Executable, reason: str) -> None:
        async with self._lock:
            if self.executables.get(executable.id) is not executable:
                return
            if executable.state != "active":
                return
            await executable.deactivate()
            executable.state, executable.error = "cancelled", reason
            self.webhooks.release(executable)
            await self._promote_standby()

    async def _resolve(self, registration: Registration) -> dict[str, str]:
        props = dict(registration.properties)
        names = names_in(props)
        if not names:
            return props
        scope = _SecretScope(
            registration.definition.tenant_id, registration.definition.bpmn_process_id
        )
        values = await self.resolver.resolve(names, scope)
        resolved: dict[str, str] = substitute(props, values)
        return resolved

    # -- webhooks -------------------------------------------------------------------------

    async def handle_webhook(
        self,
        path: str,
        head: WebhookRequestHead,
        chunks: AsyncIterator[bytes],
        content_length: int | None,
    ) -> HttpAnswer:
        executable = self.webhooks.active(path)
        if executable is None or executable.context is None:
            self._record_unknown(path, head)
            return HttpAnswer(404)
        call = WebhookCall(executable, path, self.options.max_body_bytes)
        return await call.run(head, chunks, content_length)

    def _record_unknown(self, path: str, head: WebhookRequestHead) -> None:
        if self.history is None:
            return
        now = dt.datetime.now(dt.UTC)
        self.history.submit(
            InboundRecord(
                id=str(uuid.uuid4()),
                source="webhook",
                connector_type="io.camunda:webhook:1",
                outcome="rejected",
                started_at=now,
                finished_at=now,
                duration_ms=0.0,
                input=cap_payload(self.mask(request_view(head, None)), self.options.history_limit),
                output={"status": 404},
                http_status=404,
                inbound_context=path[:255],
                error_code="404",
                error_message="No webhook is registered for this path",
            )
        )

    # -- state for the API ----------------------------------------------------------------

    def element_states(self) -> list[RegisteredElement]:
        """Every element being served (or failing, or in standby), in registration order."""
        found: list[RegisteredElement] = []
        for executable in sorted(self.executables.values(), key=lambda e: e.group.order):
            context: RuntimeContext | None = executable.context
            health = context.health if context is not None else None
            for registration in executable.group.registrations:
                d, e = registration.definition, registration.element
                definition = self.registry.get(executable.group.connector_type)
                is_webhook = definition is not None and definition.is_webhook
                found.append(
                    RegisteredElement(
                        bpmn_process_id=d.bpmn_process_id,
                        version=d.version,
                        process_definition_key=d.process_definition_key,
                        element_id=e.element_id,
                        kind=e.kind,
                        connector_type=registration.connector_type,
                        webhook_path=(
                            f"/inbound/{executable.webhook_path}"
                            if is_webhook and executable.webhook_path
                            else None
                        ),
                        state=executable.state,
                        error=executable.error,
                        extra={
                            "tenantId": d.tenant_id,
                            "elementName": e.element_name,
                            "messageName": e.message_name,
                            "executableId": executable.id,
                            "health": _health_json(health, executable),
                            "lastActivity": (
                                context.last_activity.isoformat()
                                if context is not None and context.last_activity
                                else None
                            ),
                            "activity": [
                                {
                                    "at": a.at.isoformat(),
                                    "severity": a.severity,
                                    "tag": a.tag,
                                    "message": a.message,
                                }
                                for a in (list(context.activity)[-10:] if context else [])
                            ],
                        },
                    )
                )
        return found


def _health_json(health: Health | None, executable: Executable) -> dict[str, Any]:
    if executable.state != "active":
        return {"status": "DOWN", "error": executable.error}
    if health is None:
        return {"status": "UNKNOWN"}
    result: dict[str, Any] = {"status": health.status}
    if health.error:
        result["error"] = health.error
    if health.details:
        result["details"] = dict(health.details)
    return result


def elapsed_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
