"""The REST engine service the application lifespan starts and stops."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from camunda_orchestration_sdk import CamundaAsyncClient

from app.engines.camunda_rest.client import create_client, describe_error
from app.engines.camunda_rest.process_commands import RestProcessCommands
from app.engines.camunda_rest.worker import RestTypeWorker, Runtime, WorkerOptions
from app.runtime.control import PausedTypes
from app.runtime.engine import (
    CorrelatedMessage,
    CreatedInstance,
    Deployment,
    EngineNotConfiguredError,
    EngineUnavailableError,
    InstanceToCreate,
    MessageToPublish,
    PublishedMessage,
    Resource,
)
from app.runtime.messaging import EngineMessageSender
from connectors.sdk import OutboundConnector

log = logging.getLogger("switchboard.camunda_rest")

_TIMEOUT_MARGIN_MS = 5_000  # as the gRPC engine: a connector's own timeout plus this
_READ_TIMEOUT_MARGIN_SECONDS = 10.0  # an activation's HTTP read outlasts its long poll
COMMAND_CONNECTIONS = 8  # measured best of 4, 8, 24, 100+ (docs/performance.md)


class _Connectivity:
    def __init__(self) -> None:
        self.up: bool | None = None
        self.error: str | None = "not connected yet"
        self.since = _now()

    def reachable(self) -> None:
        if self.up is not True:
            self.up, self.error, self.since = True, None, _now()
            log.info("Camunda REST API reachable")

    def unreachable(self, reason: str) -> None:
        if self.up is not False or self.error != reason:
            if self.up is not False:
                self.since = _now()
                log.warning("Camunda REST API unreachable: %s", reason)
            self.up, self.error = False, reason


class CamundaRestService:
    """The REST engine (:class:`app.runtime.engine.Engine` and ``ProcessCommands``): one poll
    loop per connector type against ``/v2/jobs/activation``, and the process commands.

    ``settings`` is the application's Settings (the REST options, the shared
    ``SWITCHBOARD_WORKER_*`` options and ``shutdown_grace_seconds``); ``runtime`` offers
    ``await runtime.execute(job, source=...)``; ``registry`` is a ConnectorRegistry (or any
    iterable of OutboundConnector).
    """

    name = "camunda-rest"

    def __init__(
        self,
        settings: Any,
        runtime: Runtime,
        registry: Iterable[OutboundConnector] | Any,
        paused: PausedTypes | None = None,
    ):
        self.settings = settings
        self.paused = paused
        self.runtime = runtime
        self.registry = registry
        # Connectors sending messages publish and correlate over this engine.
        self.messages = EngineMessageSender(self, self, rest_publisher=True)
        self.grace_seconds = float(getattr(settings, "shutdown_grace_seconds", 30.0))
        self.workers: list[RestTypeWorker] = []
        self.last_shutdown: dict[str, int] | None = None
        self._client: CamundaAsyncClient | None = None
        self._poll_client: CamundaAsyncClient | None = None
        self._commands: RestProcessCommands | None = None
        self._connectivity = _Connectivity()
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    @property
    def enabled(self) -> bool:
        """True when SWITCHBOARD_JOB_TRANSPORT=rest and CAMUNDA_REST_ADDRESS is set."""
        return bool(self.settings.camunda_rest_enabled)

    @property
    def client(self) -> CamundaAsyncClient | None:
        """The SDK client while running (for discovery and tests)."""
        return self._client

    async def start(self) -> None:
        """Create the client and start polling; returns at once (no waiting for the API).

        A no-op when the engine is disabled. Raises ValueError for unusable settings.
        """
        if not self.enabled or self._started:
            return
        s = self.settings
        connectors = self._connectors()
        read_timeout = s.worker_request_timeout_seconds + _READ_TIMEOUT_MARGIN_SECONDS
        # Two clients: long polls hold a connection each for up to the request timeout, and
        # must never starve the commands of connections; commands share a small pool, which
        # is cheaper per request than a large one (httpcore scans its pool on every request).
        self._poll_client = create_client(
            s, read_timeout_seconds=read_timeout, max_connections=len(connectors) + 1
        )
        # Creating an instance with its result waits for the instance (inbound webhooks with
        # a synchronous response), so commands may take that long to be answered.
        sync_wait = float(getattr(s, "inbound_sync_timeout_seconds", 30.0))
        self._client = create_client(
            s,
            read_timeout_seconds=max(read_timeout, sync_wait + _READ_TIMEOUT_MARGIN_SECONDS),
            max_connections=COMMAND_CONNECTIONS,
        )
        self._commands = RestProcessCommands(self._client)
        self.workers = []
        base_timeout_ms = int(s.worker_job_timeout_seconds * 1000)
        tenant_ids = tuple(t.strip() for t in s.worker_tenant_ids.split(",") if t.strip())
        for connector in connectors:
            job_timeout_ms = base_timeout_ms
            if connector.timeout is not None:
                job_timeout_ms = max(
                    job_timeout_ms, int(connector.timeout * 1000) + _TIMEOUT_MARGIN_MS
                )
            options = WorkerOptions(
                name=s.worker_name,
                max_jobs_to_activate=s.worker_max_jobs_to_activate,
                max_running_jobs=s.worker_max_running_jobs,
                job_timeout_ms=job_timeout_ms,
                request_timeout_ms=int(s.worker_request_timeout_seconds * 1000),
                poll_interval=s.worker_poll_interval_seconds,
                max_backoff=s.worker_reconnect_max_backoff_seconds,
                tenant_ids=tenant_ids,
            )
            worker = RestTypeWorker(
                self._poll_client,
                self._client,
                connector.type,
                tuple(connector.input_variables),
                options,
                self.runtime,
                self._connectivity,
                paused=self.paused,
                messages=self.messages,
            )
            self.workers.append(worker)
            self._tasks.append(
                asyncio.create_task(worker.poll(), name=f"camunda-rest-poll-{worker.job_type}")
            )
            if self.paused is not None:
                self._tasks.append(
                    asyncio.create_task(
                        worker.watch_pause(), name=f"camunda-rest-pause-{worker.job_type}"
                    )
                )
        self._started = True
        log.info(
            "Camunda REST worker %r started against %s for %d job type(s)",
            s.worker_name,
            self._client.configuration.CAMUNDA_REST_ADDRESS,
            len(self.workers),
        )

    async def stop(self) -> None:
        """Stop activating, let running jobs finish within the grace period, then cancel the
        rest without sending any command for them, and close the client."""
        if not self._started:
            return
        self._started = False
        for worker in self.workers:
            worker.stop_polling()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)
        self._tasks.clear()
        running = {task for worker in self.workers for task in worker.running}
        done: set[asyncio.Task[None]] = set()
        pending: set[asyncio.Task[None]] = set()
        if running:
            log.info("waiting up to %.1fs for %d running job(s)", self.grace_seconds, len(running))
            done, pending = await asyncio.wait(running, timeout=self.grace_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        clients = (self._client, self._poll_client)
        self._client, self._poll_client, self._commands = None, None, None
        for client in clients:
            if client is not None:
                try:
                    await client.aclose()
                except Exception as exc:
                    log.warning("closing the REST client failed: %s", describe_error(exc))
        self.last_shutdown = {"finished": len(done), "abandoned": len(pending)}
        if pending:
            log.warning(
                "Camunda REST worker stopped; %d job(s) did not finish in time and were left "
                "to time out",
                len(pending),
            )
        else:
            log.info("Camunda REST worker stopped")

    def status(self) -> dict[str, Any]:
        """Readiness: ``{"status": "up"|"down"|"disabled", ...}``. ``up`` once an activation
        was answered, ``down`` while they fail."""
        if not self.enabled:
            reason = (
                "CAMUNDA_REST_ADDRESS is not set"
                if self.settings.job_transport == "rest"
                else "SWITCHBOARD_JOB_TRANSPORT is not rest"
            )
            return {"status": "disabled", "reason": reason}
        c = self._connectivity
        report: dict[str, Any] = {
            "status": "up" if self._started and c.up else "down",
            "address": self.settings.camunda_rest_address,
            "transport": "rest",
            "worker": self.settings.worker_name,
            "jobTypes": [w.job_type for w in self.workers],
            "runningJobs": sum(len(w.running) for w in self.workers),
            "since": c.since.isoformat(),
        }
        if not self._started:
            report["error"] = "worker not running"
        elif c.error:
            report["error"] = c.error
        return report

    def running_jobs(self) -> dict[str, int]:
        """Jobs being executed right now, by job type."""
        counts: dict[str, int] = {}
        for worker in self.workers:
            counts[worker.job_type] = counts.get(worker.job_type, 0) + len(worker.running)
        return counts

    # -- process commands (app.runtime.engine.ProcessCommands) ----------------------------

    async def publish_message(self, message: MessageToPublish) -> PublishedMessage:
        return await self._process_commands().publish_message(message)

    async def correlate_message(self, message: MessageToPublish) -> CorrelatedMessage:
        """``app.runtime.engine.MessageCorrelation``: ``POST /v2/messages/correlation``."""
        return await self._process_commands().correlate_message(message)

    async def create_process_instance(self, instance: InstanceToCreate) -> CreatedInstance:
        return await self._process_commands().create_process_instance(instance)

    async def deploy_resources(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> Deployment:
        return await self._process_commands().deploy_resources(resources, tenant_id=tenant_id)

    def _process_commands(self) -> RestProcessCommands:
        if not self.enabled:
            raise EngineNotConfiguredError(
                "the Camunda REST engine is not configured: set SWITCHBOARD_JOB_TRANSPORT=rest "
                "and CAMUNDA_REST_ADDRESS"
            )
        if self._commands is None:
            raise EngineUnavailableError("the Camunda REST engine is not running")
        return self._commands

    def _connectors(self) -> list[OutboundConnector]:
        source = self.registry
        items = source.connectors() if hasattr(source, "connectors") else source
        return list(items)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
