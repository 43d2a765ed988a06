"""The REST engine service the application lifespan starts and stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from camunda_orchestration_sdk import CamundaAsyncClient

from app.engines.camunda_rest.client import create_client, describe_error
from app.engines.camunda_rest.process_commands import RestProcessCommands
from app.engines.camunda_rest.worker import RestTypeWorker, WorkerOptions
from app.engines.connectivity import ConnectionState, readiness
from app.engines.execution import Runtime
from app.engines.lifecycle import (
    connectors_of,
    job_lock_ms,
    log_stopped,
    running_by_type,
    stop_type_workers,
)
from app.engines.process_commands import ForwardedProcessCommands
from app.runtime.control import PausedTypes
from app.runtime.engine import (
    CorrelatedMessage,
    EngineNotConfiguredError,
    EngineUnavailableError,
    MessageToPublish,
)
from app.runtime.messaging import EngineMessageSender
from connectors.sdk import OutboundConnector

log = logging.getLogger("switchboard.camunda_rest")

_READ_TIMEOUT_MARGIN_SECONDS = 10.0  # an activation's HTTP read outlasts its long poll
COMMAND_CONNECTIONS = 8  # measured best of 4, 8, 24, 100+ (docs/performance.md)


class CamundaRestService(ForwardedProcessCommands):
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
        self._connectivity = ConnectionState("Camunda REST API", log)
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
        connectors = connectors_of(self.registry)
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
        for connector in connectors:
            options = WorkerOptions.from_settings(
                s, job_lock_ms(connector, s.worker_job_timeout_seconds)
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
        shutdown = await stop_type_workers(self.workers, self._tasks, self.grace_seconds, log)
        clients = (self._client, self._poll_client)
        self._client, self._poll_client, self._commands = None, None, None
        for client in clients:
            if client is not None:
                try:
                    await client.aclose()
                except Exception as exc:
                    log.warning("closing the REST client failed: %s", describe_error(exc))
        self.last_shutdown = shutdown
        log_stopped(log, "Camunda REST worker", shutdown["abandoned"])

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
        return readiness(
            self._connectivity,
            self._started,
            {
                "address": self.settings.camunda_rest_address,
                "transport": "rest",
                "worker": self.settings.worker_name,
                "jobTypes": [w.job_type for w in self.workers],
                "runningJobs": sum(len(w.running) for w in self.workers),
            },
        )

    def running_jobs(self) -> dict[str, int]:
        """Jobs being executed right now, by job type."""
        return running_by_type((w.job_type, len(w.running)) for w in self.workers)

    # -- process commands (app.runtime.engine.ProcessCommands) ----------------------------

    async def correlate_message(self, message: MessageToPublish) -> CorrelatedMessage:
        """``app.runtime.engine.MessageCorrelation``: ``POST /v2/messages/correlation``."""
        return await self._process_commands().correlate_message(message)

    def _process_commands(self) -> RestProcessCommands:
        if not self.enabled:
            raise EngineNotConfiguredError(
                "the Camunda REST engine is not configured: set SWITCHBOARD_JOB_TRANSPORT=rest "
                "and CAMUNDA_REST_ADDRESS"
            )
        if self._commands is None:
            raise EngineUnavailableError("the Camunda REST engine is not running")
        return self._commands
