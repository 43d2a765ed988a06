"""The Zeebe worker service the application lifespan starts and stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import grpc
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter

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
from app.engines.zeebe.channel import ConnectionPlan, connection_plan, create_channel
from app.engines.zeebe.commands import CommandSender
from app.engines.zeebe.process_commands import ZeebeProcessCommands
from app.engines.zeebe.worker import TypeWorker, WorkerOptions, describe_error
from app.runtime.control import PausedTypes
from app.runtime.engine import (
    EngineNotConfiguredError,
    EngineUnavailableError,
    MessageCorrelation,
)
from app.runtime.messaging import EngineMessageSender
from app.settings.zeebe import ZeebeSettings
from connectors.sdk import OutboundConnector

log = logging.getLogger("switchboard.zeebe")

# pyzeebe logs every activated job, variables included, at DEBUG.
_NOISY_PYZEEBE_LOGGERS = ("pyzeebe.grpc_internals.zeebe_job_adapter", "pyzeebe.worker")
_PROBE_TIMEOUT_SECONDS = 5.0


class _Connectivity(ConnectionState):
    """The gateway's connection, with what its topology last said."""

    def __init__(self) -> None:
        super().__init__("Zeebe gateway", log)
        self.gateway_version: str | None = None
        self.brokers: int | None = None


class ZeebeService(ForwardedProcessCommands):
    """The Zeebe engine (:class:`app.runtime.engine.Engine` and ``ProcessCommands``): one
    poll loop per connector type against the gateway, and the process commands.

    ``settings`` is the application's Settings (Zeebe options plus
    ``shutdown_grace_seconds``); ``runtime`` offers ``await runtime.execute(job,
    source="zeebe", messages=...)`` returning an object with ``.outcome``; ``registry`` is a
    ConnectorRegistry (or any iterable of OutboundConnector); ``correlator`` serves the
    message correlations connectors ask for (Camunda's REST API, when configured).
    """

    name = "zeebe"

    def __init__(
        self,
        settings: ZeebeSettings,
        runtime: Runtime,
        registry: Iterable[OutboundConnector] | Any,
        paused: PausedTypes | None = None,
        correlator: MessageCorrelation | None = None,
    ) -> None:
        self.settings = settings
        self.paused = paused
        self.runtime = runtime
        self.registry = registry
        # Connectors sending messages publish over this engine's gRPC channel; correlating
        # needs Camunda's REST API (``correlator``: given when CAMUNDA_REST_ADDRESS is set).
        self.messages = EngineMessageSender(self, correlator)
        self.grace_seconds = float(getattr(settings, "shutdown_grace_seconds", 30.0))
        self.workers: list[TypeWorker] = []
        self.last_shutdown: dict[str, int] | None = None
        self._plan: ConnectionPlan | None = None
        self._channel: grpc.aio.Channel | None = None
        self._adapter: ZeebeAdapter | None = None
        self._commands: ZeebeProcessCommands | None = None
        self._sender: CommandSender | None = None
        self._connectivity = _Connectivity()
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    @property
    def enabled(self) -> bool:
        """True when ZEEBE_ADDRESS or CAMUNDA_CLUSTER_ID is set."""
        return self.settings.zeebe_enabled

    async def start(self) -> None:
        """Open the channel and start polling; returns at once (no waiting for the gateway).

        A no-op when the worker is disabled. Raises ValueError for unusable settings.
        """
        if not self.enabled or self._started:
            return
        for name in _NOISY_PYZEEBE_LOGGERS:
            logger = logging.getLogger(name)
            if logger.getEffectiveLevel() < logging.INFO:
                logger.setLevel(logging.INFO)
        self._plan = connection_plan(self.settings)
        self._channel, _ = await create_channel(self.settings)
        self._adapter = ZeebeAdapter(self._channel, max_connection_retries=-1)
        self._commands = ZeebeProcessCommands(
            self._adapter._gateway_stub, self.settings.worker_request_timeout_seconds
        )
        self.workers = []
        s = self.settings
        self._sender = CommandSender(
            self._adapter._gateway_stub, max_backoff=s.worker_reconnect_max_backoff_seconds
        )
        for connector in connectors_of(self.registry):
            job_timeout_ms = job_lock_ms(connector, s.worker_job_timeout_seconds)
            options = WorkerOptions.from_settings(s, job_timeout_ms, stream=s.worker_stream_enabled)
            worker = TypeWorker(
                self._adapter,
                connector.type,
                tuple(connector.input_variables),
                options,
                self.runtime,
                self._connectivity,
                commands=self._sender,
                channel=self._channel,
                paused=self.paused,
                messages=self.messages,
            )
            self.workers.append(worker)
            if self.paused is not None:
                self._tasks.append(
                    asyncio.create_task(worker.watch_pause(), name=f"zeebe-pause-{worker.job_type}")
                )
            if options.stream:
                self._tasks.append(
                    asyncio.create_task(worker.stream(), name=f"zeebe-stream-{worker.job_type}")
                )
            self._tasks.append(
                asyncio.create_task(worker.poll(), name=f"zeebe-poll-{worker.job_type}")
            )
        self._tasks.append(asyncio.create_task(self._probe(), name="zeebe-topology-probe"))
        self._started = True
        log.info(
            "Zeebe worker %r started against %s for %d job type(s) (%s)",
            s.worker_name,
            self._plan.describe(),
            len(self.workers),
            "streaming + polling" if s.worker_stream_enabled else "polling",
        )

    async def stop(self) -> None:
        """Stop activating, let running jobs finish within the grace period, then cancel the
        rest without sending any command for them, and close the channel."""
        if not self._started:
            return
        self._started = False
        shutdown = await stop_type_workers(self.workers, self._tasks, self.grace_seconds, log)
        if self._channel is not None:
            await self._channel.close()
        self._channel = None
        self._adapter = None
        self._commands = None
        self.last_shutdown = shutdown
        log_stopped(log, "Zeebe worker", shutdown["abandoned"])

    def status(self) -> dict[str, Any]:
        """Readiness of the engine connection: ``{"status": "up"|"down"|"disabled", ...}``."""
        if not self.enabled:
            return {"status": "disabled", "reason": "ZEEBE_ADDRESS is not set"}
        c = self._connectivity
        report = readiness(
            c,
            self._started,
            {
                "address": self._plan.address if self._plan else None,
                "connection": self._plan.describe() if self._plan else None,
                "worker": self.settings.worker_name,
                "jobTypes": [w.job_type for w in self.workers],
                "runningJobs": sum(len(w.running) for w in self.workers),
                "pendingCommands": self._sender.pending if self._sender else 0,
                "streaming": self.settings.worker_stream_enabled,
            },
        )
        if c.gateway_version:
            report["gatewayVersion"] = c.gateway_version
        return report

    async def health(self) -> dict[str, Any]:
        """:meth:`status` as an async health check (for the readiness registry)."""
        return self.status()

    def running_jobs(self) -> dict[str, int]:
        """Jobs being executed right now, by job type."""
        return running_by_type((w.job_type, len(w.running)) for w in self.workers)

    # -- process commands (app.runtime.engine.ProcessCommands) ----------------------------

    def _process_commands(self) -> ZeebeProcessCommands:
        if not self.enabled:
            raise EngineNotConfiguredError("Zeebe is not configured: set ZEEBE_ADDRESS")
        if self._commands is None:
            raise EngineUnavailableError("the Zeebe worker is not running")
        return self._commands

    async def _probe(self) -> None:
        interval = self.settings.worker_health_interval_seconds
        while self._started:
            adapter = self._adapter
            if adapter is None:
                return
            try:
                async with asyncio.timeout(_PROBE_TIMEOUT_SECONDS):
                    topology = await adapter.topology()
            except asyncio.CancelledError:
                raise
            except TimeoutError:
                self._connectivity.unreachable("Topology request timed out")
            except Exception as exc:
                self._connectivity.unreachable(describe_error(exc))
            else:
                self._connectivity.gateway_version = topology.gateway_version or None
                self._connectivity.brokers = len(topology.brokers)
                self._connectivity.reachable()
            await asyncio.sleep(interval)
