"""An engine service's start and stop, the parts every engine does alike: the connectors to
take jobs for, their lock time, stopping the loops, draining the running jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self

from connectors.sdk import OutboundConnector

TIMEOUT_MARGIN_MS = 5_000  # a job's lock outlasts its connector's own timeout by this
LOOP_STOP_SECONDS = 5.0  # how long stopping waits for the cancelled loops


class TypeWorkerLike(Protocol):
    """A per-type worker as its service stops it."""

    @property
    def running(self) -> Collection[asyncio.Task[None]]: ...

    def stop_polling(self) -> None: ...


@dataclass(frozen=True)
class TypeWorkerOptions:
    """The options of a worker taking one job type's jobs (the Zeebe and REST engines)."""

    name: str
    max_jobs_to_activate: int
    max_running_jobs: int
    job_timeout_ms: int
    request_timeout_ms: int
    poll_interval: float
    max_backoff: float
    tenant_ids: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any, job_timeout_ms: int, **extra: Any) -> Self:
        """From the shared ``SWITCHBOARD_WORKER_*`` settings; ``extra``: an engine's own."""
        s = settings
        return cls(
            name=s.worker_name,
            max_jobs_to_activate=s.worker_max_jobs_to_activate,
            max_running_jobs=s.worker_max_running_jobs,
            job_timeout_ms=job_timeout_ms,
            request_timeout_ms=int(s.worker_request_timeout_seconds * 1000),
            poll_interval=s.worker_poll_interval_seconds,
            max_backoff=s.worker_reconnect_max_backoff_seconds,
            tenant_ids=tenant_ids(s.worker_tenant_ids),
            **extra,
        )


def connectors_of(registry: Iterable[OutboundConnector] | Any) -> list[OutboundConnector]:
    """The connectors of a ConnectorRegistry (or of any iterable of OutboundConnector)."""
    items = registry.connectors() if hasattr(registry, "connectors") else registry
    return list(items)


def lock_ms(connector: OutboundConnector, default_seconds: float) -> int:
    """The worker default lock (``default_seconds``), stretched to the connector's execution
    timeout + 5 s when that is longer; in milliseconds."""
    millis = int(default_seconds * 1000)
    if connector.timeout is not None:
        millis = max(millis, int(connector.timeout * 1000) + TIMEOUT_MARGIN_MS)
    return millis


def job_lock_ms(connector: OutboundConnector, default_seconds: float) -> int:
    """The job timeout (lock) requested for a connector's jobs, in milliseconds, on every
    Camunda 8 transport.

    ``CONNECTOR_<NAME>_TIMEOUT`` (milliseconds, as in Camunda's runtime, found by discovery
    into ``extra["job_timeout_ms"]``) wins; otherwise :func:`lock_ms`.
    """
    explicit = connector.extra.get("job_timeout_ms")
    if isinstance(explicit, int) and explicit > 0:
        return explicit
    return lock_ms(connector, default_seconds)


def tenant_ids(setting: str) -> tuple[str, ...]:
    """A comma-separated tenant list (``SWITCHBOARD_WORKER_TENANT_IDS``)."""
    return tuple(t.strip() for t in setting.split(",") if t.strip())


async def cancel_loops(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the service's loop tasks, wait a little for them to end, forget them."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=LOOP_STOP_SECONDS)
    tasks.clear()


async def drain(
    jobs: Collection[asyncio.Task[None]],
    grace_seconds: float,
    log: logging.Logger | None = None,
) -> tuple[set[asyncio.Task[None]], set[asyncio.Task[None]]]:
    """Wait up to ``grace_seconds`` for the running ``jobs``, then cancel the rest; returns
    (finished, cancelled). ``log``, when given, says how long it waits."""
    done: set[asyncio.Task[None]] = set()
    pending: set[asyncio.Task[None]] = set()
    if jobs:
        if log is not None:
            log.info("waiting up to %.1fs for %d running job(s)", grace_seconds, len(jobs))
        done, pending = await asyncio.wait(jobs, timeout=grace_seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return done, pending


async def stop_type_workers(
    workers: Sequence[TypeWorkerLike],
    loops: list[asyncio.Task[None]],
    grace_seconds: float,
    log: logging.Logger,
) -> dict[str, int]:
    """Stop the workers' loops, let their running jobs finish within the grace period and
    cancel the rest without sending any command for them (they time out in the engine);
    returns ``{"finished": n, "abandoned": n}``."""
    for worker in workers:
        worker.stop_polling()
    await cancel_loops(loops)
    running = {task for worker in workers for task in worker.running}
    done, pending = await drain(running, grace_seconds, log)
    return {"finished": len(done), "abandoned": len(pending)}


def log_stopped(log: logging.Logger, what: str, abandoned: int) -> None:
    """The last line of :func:`stop_type_workers`'s shutdown (``what``: ``Zeebe worker``)."""
    if abandoned:
        log.warning(
            "%s stopped; %d job(s) did not finish in time and were left to time out",
            what,
            abandoned,
        )
    else:
        log.info("%s stopped", what)


def running_by_type(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``(job type, running jobs)`` pairs summed by type (``Engine.running_jobs()``)."""
    totals: dict[str, int] = {}
    for job_type, count in counts:
        totals[job_type] = totals.get(job_type, 0) + count
    return totals
