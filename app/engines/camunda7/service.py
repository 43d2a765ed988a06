"""The Camunda 7 engine service the application lifespan starts and stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import httpx

from app.engines.camunda7.client import Camunda7Client
from app.engines.camunda7.worker import (
    ExternalTaskWorker,
    Runtime,
    Topic,
    WorkerOptions,
)
from app.engines.connectivity import ConnectionState, readiness
from app.engines.lifecycle import cancel_loops, connectors_of, running_by_type
from app.runtime.control import PausedTypes
from connectors.sdk import OutboundConnector

log = logging.getLogger("switchboard.camunda7")


class Camunda7Service:
    """The Camunda 7 / Operaton engine (:class:`app.runtime.engine.Engine`): one long-polling
    ``fetchAndLock`` for every connector's topic.

    ``settings`` is the application's Settings (the ``SWITCHBOARD_CAMUNDA7_*`` options and
    ``shutdown_grace_seconds``); ``runtime`` offers ``await runtime.execute(job, source=...)``;
    ``registry`` is a ConnectorRegistry (or any iterable of OutboundConnector).
    """

    name = "camunda7"

    def __init__(
        self,
        settings: Any,
        runtime: Runtime,
        registry: Iterable[OutboundConnector] | Any,
        paused: PausedTypes | None = None,
    ) -> None:
        self.settings = settings
        self.paused = paused
        self.runtime = runtime
        self.registry = registry
        self.grace_seconds = float(getattr(settings, "shutdown_grace_seconds", 30.0))
        self.worker: ExternalTaskWorker | None = None
        self.last_shutdown: dict[str, Any] | None = None
        self._client: Camunda7Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._connectivity = ConnectionState("Camunda 7 engine", log)
        self._started = False

    @property
    def enabled(self) -> bool:
        """True when SWITCHBOARD_CAMUNDA7_URL is set."""
        return bool(self.settings.camunda7_url)

    def topics(self) -> tuple[Topic, ...]:
        """One topic per connector (its job type unless SWITCHBOARD_CAMUNDA7_TOPICS renames
        it); raises ValueError when two connectors would share a topic."""
        overrides = self.settings.camunda7_topic_overrides()
        topics: dict[str, Topic] = {}
        for connector in connectors_of(self.registry):
            name = overrides.get(connector.type, connector.type)
            if name in topics:
                raise ValueError(
                    f"SWITCHBOARD_CAMUNDA7_TOPICS: the topic {name!r} is used by both "
                    f"{topics[name].job_type} and {connector.type}"
                )
            variables = tuple(connector.input_variables) or None
            topics[name] = Topic(name, connector.type, variables)
        return tuple(topics.values())

    async def start(self) -> None:
        """Create the client and start fetching; returns at once. A no-op when disabled."""
        if not self.enabled or self._started:
            return
        s = self.settings
        topics = self.topics()
        self._client = Camunda7Client(
            s.camunda7_url,
            auth=_auth(s),
            headers=_headers(s),
            read_timeout=s.camunda7_async_response_timeout_ms / 1000 + 10.0,
            max_connections=s.camunda7_max_tasks + 2,
        )
        options = WorkerOptions(
            worker_id=s.camunda7_worker_id,
            lock_duration_ms=s.camunda7_lock_duration_ms,
            max_tasks=s.camunda7_max_tasks,
            async_response_timeout_ms=s.camunda7_async_response_timeout_ms,
            default_retries=s.camunda7_default_retries,
            max_backoff=float(getattr(s, "worker_reconnect_max_backoff_seconds", 5.0)),
            objects=s.camunda7_object_type,
        )
        self.worker = ExternalTaskWorker(
            self._client, topics, options, self.runtime, self._connectivity, paused=self.paused
        )
        if topics:
            self._task = asyncio.create_task(self.worker.poll(), name="camunda7-fetch")
        self._started = True
        log.info(
            "Camunda 7 worker %r started against %s for %d topic(s)",
            s.camunda7_worker_id,
            s.camunda7_url,
            len(topics),
        )

    async def stop(self) -> None:
        """Stop fetching, let running tasks finish within the grace period, cancel and unlock
        the rest, close the client."""
        worker, client = self.worker, self._client
        if not self._started or worker is None or client is None:
            return
        self._started = False
        worker.stop_polling()
        if self._task is not None:
            await cancel_loops([self._task])
        self._task = None
        finished, unlocked = await worker.drain(self.grace_seconds)
        self._client = None
        await client.aclose()
        self.last_shutdown = {"finished": finished, "unlocked": unlocked}
        if unlocked:
            log.warning(
                "Camunda 7 worker stopped; %d task(s) did not finish in time and were unlocked",
                len(unlocked),
            )
        else:
            log.info("Camunda 7 worker stopped")

    def status(self) -> dict[str, Any]:
        """Readiness: ``up`` once a fetchAndLock was answered, ``down`` while they fail."""
        if not self.enabled:
            return {"status": "disabled", "reason": "SWITCHBOARD_CAMUNDA7_URL is not set"}
        return readiness(
            self._connectivity,
            self._client is not None,
            {
                "address": self.settings.camunda7_url,
                "workerId": self.settings.camunda7_worker_id,
                "topics": list(self.worker.topics) if self.worker else [],
                "runningJobs": len(self.worker.running) if self.worker else 0,
            },
        )

    def running_jobs(self) -> dict[str, int]:
        """Tasks being executed right now, by connector type."""
        types = self.worker.types.values() if self.worker is not None else ()
        return running_by_type((job_type, 1) for job_type in types)


def _auth(settings: Any) -> httpx.Auth | None:
    if settings.camunda7_username:
        return httpx.BasicAuth(
            settings.camunda7_username, settings.camunda7_password.get_secret_value()
        )
    return None


def _headers(settings: Any) -> dict[str, str] | None:
    if settings.camunda7_token is not None:
        return {"Authorization": f"Bearer {settings.camunda7_token.get_secret_value()}"}
    return None
