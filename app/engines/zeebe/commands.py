"""Send an Outcome to the gateway: Complete -> CompleteJob, Fail -> FailJob (explicit retries
and backoff), ThrowError -> ThrowError. Transient gateway errors are retried with backoff."""

from __future__ import annotations

import asyncio
import logging
import time

from pyzeebe.errors import (
    JobAlreadyDeactivatedError,
    JobNotFoundError,
    UnknownGrpcStatusCodeError,
    ZeebeBackPressureError,
    ZeebeDeadlineExceeded,
    ZeebeGatewayUnavailableError,
    ZeebeInternalError,
)
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter

from app.runtime.model import Complete, Fail, Outcome, ThrowError

log = logging.getLogger("switchboard.zeebe")

TRANSIENT = (
    ZeebeGatewayUnavailableError,
    ZeebeBackPressureError,
    ZeebeInternalError,
    ZeebeDeadlineExceeded,
    UnknownGrpcStatusCodeError,
)
MAX_ATTEMPTS = 8


async def send_outcome(
    adapter: ZeebeAdapter,
    job_key: int,
    outcome: Outcome,
    *,
    deadline_ms: int = 0,
    max_backoff: float = 5.0,
) -> bool:
    """Send the command for ``outcome``; True when the gateway accepted it.

    Retries transient errors (unreachable gateway, back pressure) with doubling pauses up to
    ``max_backoff`` seconds, at most :data:`MAX_ATTEMPTS` times and not past the job's
    deadline (epoch ms; 0 = unknown). A job the gateway no longer knows is logged and dropped.
    """
    pause = 0.05
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            await _send_once(adapter, job_key, outcome)
            return True
        except (JobNotFoundError, JobAlreadyDeactivatedError) as exc:
            log.warning(
                "job %s: %s rejected, the job is no longer active (%s)",
                job_key,
                outcome.command,
                type(exc).__name__,
            )
            return False
        except TRANSIENT as exc:
            past_deadline = deadline_ms and time.time() * 1000 + pause * 1000 > deadline_ms
            if attempt == MAX_ATTEMPTS or past_deadline:
                log.error(
                    "job %s: giving up sending %s after %d attempt(s): %s",
                    job_key,
                    outcome.command,
                    attempt,
                    type(exc).__name__,
                )
                return False
            log.info(
                "job %s: %s failed (%s), retrying in %.2fs",
                job_key,
                outcome.command,
                type(exc).__name__,
                pause,
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_backoff)
    return False


async def _send_once(adapter: ZeebeAdapter, job_key: int, outcome: Outcome) -> None:
    if isinstance(outcome, Complete):
        await adapter.complete_job(job_key=job_key, variables=outcome.variables)
    elif isinstance(outcome, Fail):
        await adapter.fail_job(
            job_key=job_key,
            retries=max(outcome.retries, 0),
            message=outcome.message,
            retry_back_off_ms=max(outcome.backoff_ms, 0),
            variables=outcome.variables,
        )
    elif isinstance(outcome, ThrowError):
        await adapter.throw_error(
            job_key=job_key,
            message=outcome.message,
            variables=outcome.variables,
            error_code=outcome.code,
        )
    else:  # pragma: no cover - Outcome is a closed union
        raise TypeError(f"unknown outcome {type(outcome).__name__}")
