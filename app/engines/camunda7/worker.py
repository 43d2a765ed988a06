"""The external-task worker: one long-polling ``fetchAndLock`` for every connector topic,
each locked task run in its own asyncio task through the runtime, its outcome sent back,
its lock extended while the connector runs, and unfinished tasks unlocked on shutdown.

Request shape: camunda/camunda-bpm-platform ``engine-rest/engine-rest-openapi/src/main/
templates/paths/external-task/fetchAndLock/post.ftl`` (``workerId``, ``maxTasks``,
``usePriority``, ``asyncResponseTimeout``, ``topics[]`` with ``topicName``, ``lockDuration``,
``variables`` and ``includeExtensionProperties``). A topic whose connector reads every
variable leaves ``variables`` out: an empty list would fetch none.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from app.engines.camunda7.client import Camunda7Client, Camunda7Error, describe
from app.engines.camunda7.commands import CommandResult, send_outcome
from app.engines.camunda7.tasks import initial_retries, task_id, to_job
from app.engines.camunda7.variables import ObjectEncoding, VariableError
from app.engines.connectivity import Connectivity
from app.engines.execution import header_timeout_ms, internal_error
from app.engines.lifecycle import drain
from app.engines.slots import JobSlots
from app.runtime.control import PausedTypes, first_of
from app.runtime.model import Fail, Job, Outcome, Source

log = logging.getLogger("switchboard.camunda7")

SOURCE: Source = "camunda7"
INITIAL_BACKOFF = 0.1
READ_MARGIN_SECONDS = 10.0
EMPTY_POLL_PAUSE = 1.0


class ExecutionResultLike(Protocol):
    @property
    def outcome(self) -> Outcome: ...

    @property
    def masked_outcome(self) -> Outcome: ...


class Runtime(Protocol):
    """What the worker needs from ``app.runtime.executor.ConnectorRuntime``."""

    async def execute(self, job: Job, *, source: Source = "zeebe") -> ExecutionResultLike: ...


@dataclass(frozen=True)
class Topic:
    """One subscription: the topic name, the connector type it runs, the variables it reads
    (``None``: all)."""

    name: str
    job_type: str
    variables: tuple[str, ...] | None


@dataclass(frozen=True)
class WorkerOptions:
    worker_id: str
    lock_duration_ms: int
    max_tasks: int
    async_response_timeout_ms: int
    default_retries: int
    max_backoff: float
    objects: ObjectEncoding = "Json"


class ExternalTaskWorker:
    """Fetches and runs the external tasks of ``topics`` (see the module docstring)."""

    def __init__(
        self,
        client: Camunda7Client,
        topics: tuple[Topic, ...],
        options: WorkerOptions,
        runtime: Runtime,
        connectivity: Connectivity,
        paused: PausedTypes | None = None,
    ) -> None:
        self.client = client
        self.paused = paused
        self.topics = {t.name: t for t in topics}
        self.options = options
        self.runtime = runtime
        self.connectivity = connectivity
        self.running: dict[str, asyncio.Task[None]] = {}
        self.types: dict[str, str] = {}  # task id -> connector type, while running
        self.fetched = 0
        self.results: list[CommandResult] = []
        self._slots = JobSlots(options.max_tasks)
        self._stopping = self._slots.stopping
        self._unlocking: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ poll loop

    def active_topics(self) -> list[Topic]:
        """The topics whose connector type is not paused."""
        paused = self.paused
        if paused is None:
            return list(self.topics.values())
        return [t for t in self.topics.values() if not paused.is_paused(t.job_type)]

    def fetch_body(
        self, max_tasks: int, topics_to_fetch: list[Topic] | None = None
    ) -> dict[str, Any]:
        """The ``fetchAndLock`` request for up to ``max_tasks`` tasks."""
        topics = []
        for topic in self.topics.values() if topics_to_fetch is None else topics_to_fetch:
            entry: dict[str, Any] = {
                "topicName": topic.name,
                "lockDuration": self.options.lock_duration_ms,
                "includeExtensionProperties": True,
            }
            if topic.variables is not None:
                entry["variables"] = list(topic.variables)
            topics.append(entry)
        return {
            "workerId": self.options.worker_id,
            "maxTasks": max_tasks,
            "usePriority": True,
            "asyncResponseTimeout": self.options.async_response_timeout_ms,
            "topics": topics,
        }

    async def poll(self) -> None:
        """Fetch until :meth:`stop_polling`; never raises (errors back off and retry)."""
        backoff = INITIAL_BACKOFF
        read_timeout = self.options.async_response_timeout_ms / 1000 + READ_MARGIN_SECONDS
        while not self._stopping.is_set():
            await self._slots.wait_for_room()
            if self._stopping.is_set():
                return
            free = self.options.max_tasks - len(self.running)
            active = self.active_topics()
            if not active:  # every connector paused: wait for a resume
                assert self.paused is not None
                await first_of(self.paused.changes(), self._stopping)
                continue
            try:
                tasks = await self.client.fetch_and_lock(
                    self.fetch_body(free, active), read_timeout=read_timeout
                )
            except (Camunda7Error, httpx.HTTPError) as exc:
                self.connectivity.unreachable(describe(exc))
                refused = isinstance(exc, Camunda7Error) and exc.reason in (
                    "UNAUTHENTICATED",
                    "PERMISSION_DENIED",
                    "FAILED_PRECONDITION",
                )
                log.log(
                    logging.ERROR if refused else logging.WARNING,
                    "fetchAndLock failed (%s); retrying in %.1fs",
                    describe(exc),
                    self.options.max_backoff if refused else backoff,
                )
                await self._slots.pause(self.options.max_backoff if refused else backoff)
                backoff = min(backoff * 2, self.options.max_backoff)
                continue
            except Exception as exc:  # a bug must not end polling for good
                log.error("unexpected error fetching tasks: %s", type(exc).__name__)
                await self._slots.pause(self.options.max_backoff)
                continue
            self.connectivity.reachable()
            backoff = INITIAL_BACKOFF
            locked_at = time.time()
            for raw in tasks:
                if isinstance(raw, dict):
                    self._spawn(raw, locked_at)
            if not tasks and self.options.async_response_timeout_ms == 0:
                await self._slots.pause(EMPTY_POLL_PAUSE)  # no long polling: do not spin

    def _spawn(self, raw: dict[str, Any], locked_at: float) -> None:
        ident = task_id(raw)
        topic = self.topics.get(str(raw.get("topicName") or ""))
        if ident in self.running:
            # Its lock ran out while it ran and this fetch locked it again: keep running it.
            log.warning("task %s: locked again while running (its lock had expired)", ident)
            return
        if not ident or topic is None:
            log.warning("ignoring an unexpected task (topic %r)", raw.get("topicName"))
            return
        if self.paused is not None and self.paused.is_paused(topic.job_type):
            # Paused while this long poll waited. The poll is not cut short: the engine would
            # still lock tasks for it and they would wait for their lock to expire. Hand the
            # task straight back instead.
            unlock = asyncio.create_task(self._hand_back(ident), name=f"camunda7-unlock-{ident}")
            self._unlocking.add(unlock)
            unlock.add_done_callback(self._unlocking.discard)
            return
        self.fetched += 1
        task = asyncio.create_task(self._run(raw, topic, locked_at), name=f"camunda7-{ident}")
        self.running[ident] = task
        self.types[ident] = topic.job_type
        self._slots.update(len(self.running))
        task.add_done_callback(functools.partial(self._done, ident))

    async def _hand_back(self, ident: str) -> None:
        try:
            await self.client.unlock(ident)
        except Exception as exc:  # its lock expires by itself
            log.warning("task %s: could not unlock it (%s)", ident, describe(exc))
        else:
            log.info("task %s: unlocked, its connector is paused", ident)

    def _done(self, ident: str, _task: object = None) -> None:
        self.running.pop(ident, None)
        self.types.pop(ident, None)
        self._slots.update(len(self.running))

    def stop_polling(self) -> None:
        self._slots.stop()

    # ------------------------------------------------------------ one task

    async def _run(self, raw: dict[str, Any], topic: Topic, locked_at: float) -> None:
        ident = task_id(raw)
        lock_ms = self.options.lock_duration_ms
        deadline_ms = int(locked_at * 1000) + lock_ms
        try:
            job = to_job(
                raw,
                topic.job_type,
                worker_id=self.options.worker_id,
                default_retries=self.options.default_retries,
                deadline_ms=deadline_ms,
            )
        except VariableError as exc:
            log.error("task %s (%s): %s", ident, topic.job_type, exc)
            await self._send(ident, Fail(message=f"Switchboard cannot read {exc}", retries=0))
            return
        lock_ms = await self._apply_job_timeout(ident, job, lock_ms)
        keeper = asyncio.create_task(self._keep_lock(ident, lock_ms), name=f"camunda7-lock-{ident}")
        try:
            outcome = await self._execute(job, raw)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        # The keeper extends at each half of the lock: at least half of it is left.
        await self._send(ident, outcome, lock_left=lock_ms / 2000)

    async def _execute(self, job: Job, raw: dict[str, Any]) -> Outcome:
        try:
            result = await self.runtime.execute(job, source=SOURCE)
        except Exception as exc:
            log.error(
                "task %s (%s): the runtime raised %s",
                task_id(raw),
                job.info.type,
                type(exc).__name__,
            )
            return internal_error(exc, initial_retries(raw, self.options.default_retries))
        # Failures leave the runtime masked: the engine keeps them in incidents and history.
        if isinstance(result.outcome, Fail):
            return result.masked_outcome
        return result.outcome

    async def _send(self, ident: str, outcome: Outcome, lock_left: float = 0.0) -> None:
        result = await send_outcome(
            self.client,
            ident,
            self.options.worker_id,
            outcome,
            objects=self.options.objects,
            lock_left=lock_left,
            max_pause=self.options.max_backoff,
        )
        self.results.append(result)

    async def _apply_job_timeout(self, ident: str, job: Job, lock_ms: int) -> int:
        """The ``jobTimeout`` header sets the task's lock (extendLock) before running."""
        millis = header_timeout_ms(job)
        if millis is None:
            return lock_ms
        try:
            await self.client.extend_lock(ident, self.options.worker_id, millis)
        except (Camunda7Error, httpx.HTTPError) as exc:
            log.warning(
                "task %s: could not set its lock from jobTimeout (%s)", ident, describe(exc)
            )
            return lock_ms
        return millis

    async def _keep_lock(self, ident: str, lock_ms: int) -> None:
        """Extend the lock by ``lock_ms`` each time half of it has passed."""
        while True:
            await asyncio.sleep(lock_ms / 2000)
            try:
                await self.client.extend_lock(ident, self.options.worker_id, lock_ms)
                log.debug("task %s: lock extended by %d ms", ident, lock_ms)
            except Camunda7Error as exc:
                log.warning("task %s: extendLock refused (%s)", ident, describe(exc))
                if exc.reason in ("NOT_FOUND", "FAILED_PRECONDITION"):
                    return
            except httpx.HTTPError as exc:
                log.warning("task %s: extendLock failed (%s)", ident, describe(exc))

    # ------------------------------------------------------------ shutdown

    async def drain(self, grace_seconds: float) -> tuple[int, list[str]]:
        """Wait up to ``grace_seconds`` for running tasks; cancel and unlock the rest.

        Returns how many finished and the ids of those unlocked."""
        running = dict(self.running)
        if not running:
            return 0, []
        done, pending = await drain(running.values(), grace_seconds)
        left = [ident for ident, task in running.items() if task in pending]
        unlocked = []
        for ident in left:
            try:
                await self.client.unlock(ident)
                unlocked.append(ident)
            except (Camunda7Error, httpx.HTTPError) as exc:
                log.warning("task %s: unlock failed (%s)", ident, describe(exc))
        return len(done), unlocked
