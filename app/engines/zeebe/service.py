"""The Zeebe worker service the application lifespan starts and stops."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import grpc
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter

from app.engines.zeebe.channel import ConnectionPlan, connection_plan, create_channel
from app.engines.zeebe.commands import CommandSender
from app.engines.zeebe.process_commands import ZeebeProcessCommands
from app.engines.zeebe.worker import Runtime, TypeWorker, WorkerOptions, describe_error
from app.runtime.control import PausedTypes
from app.runtime.engine import (
    CreatedInstance,
    Deployment,
    EngineNotConfiguredError,
    EngineUnavailableError,
    InstanceToCreate,
    MessageCorrelation,
    MessageToPublish,
    PublishedMessage,
    Resource,
)
from app.runtime.messaging import EngineMessageSender
from app.settings.zeebe import ZeebeSettings
from connectors.sdk import OutboundConnector

log = logging.getLogger("switchboard.zeebe")

# pyzeebe logs every activated job, variables included, at DEBUG.
_NOISY_PYZEEBE_LOGGERS = ("pyzeebe.grpc_internals.zeebe_job_adapter", "pyzeebe.worker")
_TIMEOUT_MARGIN_MS = 5_000
_PROBE_TIMEOUT_SECONDS = 5.0


class _Connectivity:
    def __init__(self) -> None:
        self.up: bool | None = None
        self.error: str | None = "not connected yet"
        self.since = _now()
        self.gateway_version: str | None = None
        self.brokers: int | None = None

    def reachable(self) -> None:
        if self.up is not True:
            self.up, self.error, self.since = True, None, _now()
            log.info("Zeebe gateway reachable")

    def unreachable(self, reason: str) -> None:
        if self.up is not False or self.error != reason:
            if self.up is not False:
                self.since = _now()
                log.warning("Zeebe gateway unreachable: %s", reason)
            self.up, self.error = False, reason


class ZeebeService:
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
        for connector in self._connectors():
            job_timeout_ms = job_lock_ms(connector, s.worker_job_timeout_seconds)
            options = WorkerOptions(
                name=s.worker_name,
                max_jobs_to_activate=s.worker_max_jobs_to_activate,
                max_running_jobs=s.worker_max_running_jobs,
                job_timeout_ms=job_timeout_ms,
                request_timeout_ms=int(s.worker_request_timeout_seconds * 1000),
                poll_interval=s.worker_poll_interval_seconds,
                max_backoff=s.worker_reconnect_max_backoff_seconds,
                tenant_ids=tuple(t.strip() for t in s.worker_tenant_ids.split(",") if t.strip()),
                stream=s.worker_stream_enabled,
            )
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
        for worker in self.workers:
            worker.stop_polling()
        for task in self._tasks:
            task.cancel()
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
        if self._channel is not None:
            await self._channel.close()
        self._channel = None
        self._adapter = None
        self._commands = None
        self.last_shutdown = {"finished": len(done), "abandoned": len(pending)}
        if pending:
            log.warning(
                "Zeebe worker stopped; %d job(s) did not finish in time and were left to time out",
                len(pending),
            )
        else:
            log.info("Zeebe worker stopped")

    def status(self) -> dict[str, Any]:
        """Readiness of the engine connection: ``{"status": "up"|"down"|"disabled", ...}``."""
        if not self.enabled:
            return {"status": "disabled", "reason": "ZEEBE_ADDRESS is not set"}
        c = self._connectivity
        report: dict[str, Any] = {
            "status": "up" if self._started and c.up else "down",
            "address": self._plan.address if self._plan else None,
            "connection": self._plan.describe() if self._plan else None,
            "worker": self.settings.worker_name,
            "jobTypes": [w.job_type for w in self.workers],
            "runningJobs": sum(len(w.running) for w in self.workers),
            "pendingCommands": self._sender.pending if self._sender else 0,
            "streaming": self.settings.worker_stream_enabled,
            "since": c.since.isoformat(),
        }
        if not self._started:
            report["error"] = "worker not running"
        elif c.error:
            report["error"] = c.error
        if c.gateway_version:
            report["gatewayVersion"] = c.gateway_version
        return report

    async def health(self) -> dict[str, Any]:
        """:meth:`status` as an async health check (for the readiness registry)."""
        return self.status()

    def running_jobs(self) -> dict[str, int]:
        """Jobs being executed right now, by job type."""
        counts: dict[str, int] = {}
        for worker in self.workers:
            counts[worker.job_type] = counts.get(worker.job_type, 0) + len(worker.running)
        return counts

    # -- process commands (app.runtime.engine.ProcessCommands) ----------------------------

    async def publish_message(self, message: MessageToPublish) -> PublishedMessage:
        return await self._process_commands().publish_message(message)

    async def create_process_instance(self, instance: InstanceToCreate) -> CreatedInstance:
        return await self._process_commands().create_process_instance(instance)

    async def deploy_resources(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> Deployment:
        return await self._process_commands().deploy_resources(resources, tenant_id=tenant_id)

    def _process_commands(self) -> ZeebeProcessCommands:
        if not self.enabled:
            raise EngineNotConfiguredError("Zeebe is not configured: set ZEEBE_ADDRESS")
        if self._commands is None:
            raise EngineUnavailableError("the Zeebe worker is not running")
        return self._commands

    def _connectors(self) -> list[OutboundConnector]:
        source = self.registry
        items = source.connectors() if hasattr(source, "connectors") else source
        return list(items)

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


def job_lock_ms(connector: OutboundConnector, default_seconds: float) -> int:
    """The job timeout (lock) requested for a connector's jobs, in milliseconds.

    ``CONNECTOR_<NAME>_TIMEOUT`` (milliseconds, as in Camunda's runtime, found by discovery
    into ``extra["job_timeout_ms"]``) wins; otherwise the worker default, stretched to the
    connector's execution timeout + 5 s when that is longer.
    """
    explicit = connector.extra.get("job_timeout_ms")
    if isinstance(explicit, int) and explicit > 0:
        return explicit
    lock_ms = int(default_seconds * 1000)
    if connector.timeout is not None:
        lock_ms = max(lock_ms, int(connector.timeout * 1000) + _TIMEOUT_MARGIN_MS)
    return lock_ms


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
