"""The application's services, built and started in one place.

:func:`start_services` creates every long-lived object the routers need, in dependency order,
and registers their shutdown on the given exit stack (which unwinds in reverse: engines stop
first so in-flight jobs finish, then the runtime's thread pool, the history writer flushes,
the secret providers close, the database engine is disposed). ``create_app`` runs it inside
its lifespan and hands the :class:`Services` to routers through FastAPI dependencies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db import controls
from app.db.connectors_repo import upsert_connectors
from app.db.history import HistoryWriter
from app.db.inbound_repo import DatabaseRegistrationStore
from app.db.session import create_engine, session_factory
from app.engines.camunda7.service import Camunda7Service
from app.engines.camunda_rest.discovery import RestDefinitionSource
from app.engines.camunda_rest.element_instances import RestElementInstanceSource
from app.engines.camunda_rest.process_commands import RestProcessCommands
from app.engines.camunda_rest.service import CamundaRestService
from app.engines.zeebe.service import ZeebeService
from app.health import HealthRegistry
from app.inbound.model import DefinitionSource
from app.inbound.registry import InboundRegistry
from app.inbound.service import InboundOptions, InboundService
from app.metrics import Metrics, MetricsHistorySink
from app.ratelimit import FailureLimiter
from app.runtime.control import PausedTypes
from app.runtime.durations import parse_java_duration
from app.runtime.engine import Engine, ProcessCommands
from app.runtime.executor import ConnectorRuntime
from app.runtime.registry import ConnectorRegistry
from app.secrets.masking import install_log_masking, remove_log_masking
from app.secrets.service import SecretsService
from app.settings import Settings
from connectors.sdk.messages import MessageSender

log = logging.getLogger("switchboard")


@dataclass(frozen=True)
class Services:
    """Everything a request handler may need, typed. One per running application."""

    settings: Settings
    registry: ConnectorRegistry
    database: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    health: HealthRegistry
    metrics: Metrics
    auth_limiter: FailureLimiter
    secrets: SecretsService
    history: HistoryWriter
    runtime: ConnectorRuntime
    engines: tuple[Engine, ...]
    inbound: InboundService
    paused: PausedTypes
    messages: MessageSender | None = None  # the job engine's, for test invocations

    def engine(self, name: str) -> Engine | None:
        """The engine adapter called ``name`` (``zeebe``, ...), if configured."""
        return next((e for e in self.engines if e.name == name), None)

    def running_jobs(self) -> dict[str, int]:
        """Jobs being executed by every engine, by job type."""
        counts: dict[str, int] = {}
        for engine in self.engines:
            for job_type, count in engine.running_jobs().items():
                counts[job_type] = counts.get(job_type, 0) + count
        return counts


async def start_services(
    settings: Settings,
    stack: contextlib.AsyncExitStack,
    registry: ConnectorRegistry | None = None,
    inbound_registry: InboundRegistry | None = None,
    definition_sources: tuple[DefinitionSource, ...] = (),
) -> Services:
    """Build and start every service; their shutdown is pushed onto ``stack``."""
    registry = registry or ConnectorRegistry.from_environment(os.environ)
    inbound_registry = inbound_registry or InboundRegistry.from_entry_points()
    health = HealthRegistry(timeout=settings.health_check_timeout_seconds)
    metrics = Metrics()

    database = create_engine(settings.database_url)
    stack.push_async_callback(database.dispose)
    sessions = session_factory(database)
    health.add("database", _database_check(database))
    try:
        await upsert_connectors(sessions, registry.connectors(), registry.disabled())
    except Exception as exc:
        # The database may be down at start-up; readiness shows it, the API keeps serving.
        log.warning("could not record connectors in the database: %s", type(exc).__name__)

    secrets = SecretsService.from_settings(settings)
    masking = install_log_masking(secrets.masker)
    stack.callback(remove_log_masking, masking)
    await secrets.start()
    stack.push_async_callback(secrets.close)
    if secrets.providers:
        health.add("secrets", secrets.health)

    history = HistoryWriter.from_settings(database, settings)
    await history.start()
    stack.push_async_callback(history.stop)
    metrics.watch_history(history)

    # Connectors holding shared resources (the HTTP connectors' client pool) close them here.
    for connector in registry.connectors():
        if callable(shutdown := connector.extra.get("shutdown")):
            stack.push_async_callback(shutdown)

    runtime = ConnectorRuntime.from_settings(
        registry.get,
        settings,
        secrets=secrets.resolver,
        history=MetricsHistorySink(history, metrics),
    )
    stack.callback(runtime.close)

    # Process-definition discovery for inbound connectors from the REST API, on its own client
    # (whichever transport takes the jobs).
    element_instances: RestElementInstanceSource | None = None
    if settings.camunda_rest_address:
        rest_source = RestDefinitionSource.from_settings(settings)
        stack.push_async_callback(rest_source.aclose)
        definition_sources = (*definition_sources, rest_source)
        # Per-instance inbound connectors (HTTP polling) list the waiting tokens with it.
        element_instances = RestElementInstanceSource(rest_source.client)

    # Paused connector types: read before the workers start, then followed.
    paused = PausedTypes()
    try:
        paused.replace(await controls.paused_types(sessions))
    except Exception as exc:
        log.warning("could not read connector controls at start: %s", type(exc).__name__)
    follower = asyncio.create_task(
        controls.follow(sessions, paused, settings.connector_control_refresh_seconds),
        name="connector-controls",
    )
    stack.push_async_callback(_cancel, follower)

    # One job transport takes the jobs (SWITCHBOARD_JOB_TRANSPORT): both would race for them.
    jobs: ZeebeService | CamundaRestService
    if settings.job_transport == "rest":
        jobs = CamundaRestService(settings, runtime, registry, paused=paused)
    else:
        # Connectors correlating messages need the REST API (gRPC has no correlate command).
        correlator = None
        if settings.camunda_rest_address:
            correlator = RestProcessCommands.from_settings(settings)
            stack.push_async_callback(correlator.aclose)
        jobs = ZeebeService(settings, runtime, registry, paused=paused, correlator=correlator)
    engines: tuple[Engine, ...] = (jobs,)
    # Camunda 7 / Operaton external tasks run beside it: their tasks are not Zeebe's jobs.
    if settings.camunda7_url:
        engines = (*engines, Camunda7Service(settings, runtime, registry, paused=paused))
    inbound = InboundService(
        store=DatabaseRegistrationStore(sessions),
        registry=inbound_registry,
        commands=process_commands(engines),
        resolver=secrets.resolver,
        mask=secrets.masker.mask_value,
        history=history,
        options=InboundOptions(
            poll_interval_seconds=settings.inbound_poll_interval_seconds,
            max_body_bytes=settings.inbound_max_body_bytes,
            message_ttl=parse_java_duration(settings.inbound_message_ttl),
            max_variables_bytes=settings.max_output_variables_bytes,
            sync_timeout_ms=int(settings.inbound_sync_timeout_seconds * 1000),
            history_limit=settings.history_max_payload_bytes,
        ),
        sources=definition_sources,
        feel=runtime.feel,
        instances=element_instances,
    )
    services = Services(
        settings=settings,
        registry=registry,
        database=database,
        sessions=sessions,
        health=health,
        metrics=metrics,
        auth_limiter=FailureLimiter(
            settings.auth_max_failures,
            settings.auth_failure_window_seconds,
            settings.auth_failure_max_clients,
        ),
        secrets=secrets,
        history=history,
        runtime=runtime,
        engines=engines,
        inbound=inbound,
        paused=paused,
        messages=jobs.messages,
    )
    metrics.watch_gateway(lambda: gateway_state(jobs.status()))
    for engine in engines:
        metrics.watch_worker_jobs(engine.running_jobs, source=engine.name)
    for engine in engines:
        health.add(engine.name, _status_check(engine))
        await engine.start()
        stack.push_async_callback(engine.stop)
    # Inbound connectors stop before the engines (pushed later, unwound first).
    health.add("inbound", _inbound_check(inbound))
    await inbound.start()
    stack.push_async_callback(inbound.stop)
    return services


def process_commands(engines: tuple[Engine, ...]) -> ProcessCommands:
    """The engine that carries inbound commands and deployments: the first enabled one
    offering them (else the first offering them, which answers "not configured")."""
    offering = [e for e in engines if isinstance(e, ProcessCommands)]
    for engine in offering:
        if engine.enabled:
            return engine  # type: ignore[return-value]
    if not offering:
        raise RuntimeError("no engine adapter offers process commands")
    return offering[0]  # type: ignore[return-value]


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _inbound_check(inbound: InboundService) -> Any:
    async def check() -> dict[str, Any]:
        return inbound.status()

    return check


def gateway_state(status: Mapping[str, Any]) -> str:
    """connected / disconnected / connecting / disabled, from an engine's status report."""
    if status.get("status") == "disabled":
        return "disabled"
    if status.get("status") == "up":
        return "connected"
    return "connecting" if status.get("error") == "worker not running" else "disconnected"


def _database_check(database: AsyncEngine) -> Any:
    async def check() -> dict[str, Any]:
        try:
            async with database.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return {"status": "up", "dialect": database.dialect.name}
        except Exception as exc:
            return {"status": "down", "dialect": database.dialect.name, "error": type(exc).__name__}

    return check


def _status_check(engine: Engine) -> Any:
    async def check() -> dict[str, Any]:
        return engine.status()

    return check
