"""Running one job through the connector runtime, the part every engine does alike."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from app.runtime.headers import job_timeout
from app.runtime.model import Fail, Job, Outcome, Source
from connectors.sdk.messages import MessageSender


class ExecutionResultLike(Protocol):
    @property
    def outcome(self) -> Outcome: ...


class Runtime(Protocol):
    """What a job worker needs from ``app.runtime.executor.ConnectorRuntime``."""

    async def execute(
        self, job: Job, *, source: Source = "zeebe", messages: MessageSender | None = None
    ) -> ExecutionResultLike: ...


def internal_error(exc: Exception, retries: int) -> Fail:
    """The failure sent when the runtime itself raised: one retry spent, and only the
    exception's class named (its message can carry variable values)."""
    return Fail(
        message=f"Switchboard internal error: {type(exc).__name__}",
        retries=max(retries - 1, 0),
    )


async def execute(
    runtime: Runtime,
    job: Job,
    *,
    source: Source,
    messages: MessageSender | None,
    log: logging.Logger,
) -> Outcome:
    """The job's outcome from ``runtime``; an exception it raises becomes
    :func:`internal_error`."""
    try:
        result = await runtime.execute(job, source=source, messages=messages)
        return result.outcome
    except Exception as exc:
        log.error(
            "job %s (%s): the runtime raised %s",
            job.info.key,
            job.info.type,
            type(exc).__name__,
        )
        return internal_error(exc, job.info.retries)


def header_timeout_ms(job: Job) -> int | None:
    """The job's ``jobTimeout`` header in milliseconds (at least 1); None when it has none
    or an invalid one (the runtime fails the job for that)."""
    try:
        timeout = job_timeout(job)
    except ValueError:
        return None
    if timeout is None:
        return None
    return max(int(timeout / timedelta(milliseconds=1)), 1)
