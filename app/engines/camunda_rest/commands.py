"""Send an Outcome over the REST API: Complete -> ``POST /v2/jobs/{key}/completion``,
Fail -> ``POST /v2/jobs/{key}/failure`` (explicit retries and retryBackOff), ThrowError ->
``POST /v2/jobs/{key}/error`` (camunda/camunda
``zeebe/gateway-protocol/src/main/proto/v2/jobs.yaml``).

Error handling follows Camunda's job handler, as the gRPC engine does (camunda/camunda
``clients/java/.../jobhandling/JobCallbackCommandWrapper.java``; camunda/connectors
``SpringConnectorJobHandler`` with three attempts):

- retried, at most three attempts and never past the job's deadline: answers meaning the
  command was not taken (503, 504, 502, 429 and Zeebe's back pressure);
- the REST API unreachable (connection refused, reset): the finished result is kept and sent
  again until the job's deadline, because giving up would run a connector twice;
- ignored: 404 (the job is gone: completed elsewhere, cancelled, timed out);
- anything else (400, 409, 500, ...): logged and not retried.

Variables must be strict JSON: NaN and Infinity are refused before sending, and the job is
failed with retries 0 instead (the REST gateway would refuse the body with 400).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import httpx
from camunda_orchestration_sdk import CamundaAsyncClient, JobKey
from camunda_orchestration_sdk.errors import ApiError
from camunda_orchestration_sdk.models import (
    JobChangeset,
    JobCompletionRequest,
    JobCompletionRequestVariables,
    JobErrorRequest,
    JobErrorRequestVariables,
    JobFailRequest,
    JobFailRequestVariables,
    JobUpdateRequest,
)

from app.engines.camunda_rest.client import describe_error, reason_of
from app.runtime.failures import fail_message
from app.runtime.model import Complete, Fail, Outcome, ThrowError

log = logging.getLogger("switchboard.camunda_rest")

RETRIED_REASONS = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "RESOURCE_EXHAUSTED"})
CAMUNDA_MAX_ATTEMPTS = 3
FIRST_RETRY_DELAY = 0.05  # JobCallbackCommandWrapper starts at 50 ms and doubles
DEADLINE_UNKNOWN_WAIT = 300.0  # how long an unreachable API is waited out without a deadline
NOT_JSON_MESSAGE = "The job's result cannot be sent: its variables are not valid JSON ({reason})"


@dataclass(frozen=True)
class CommandResult:
    """What became of one command: ``sent``, ``ignored`` (404) or ``failed``."""

    status: str
    attempts: int
    reason: str | None = None


async def send_outcome(
    client: CamundaAsyncClient,
    job_key: int,
    outcome: Outcome,
    *,
    deadline_ms: int = 0,
    max_backoff: float = 5.0,
) -> CommandResult:
    """Send the command for ``outcome`` with the retry rules of the module docstring."""
    pause = FIRST_RETRY_DELAY
    attempts = 0
    answered_attempts = 0
    replaced = False
    started = time.monotonic()
    while True:
        attempts += 1
        try:
            await _send_once(client, job_key, outcome)
            return CommandResult("sent", attempts)
        except ValueError as exc:  # httpx refuses NaN / Infinity (strict JSON)
            if replaced:
                raise  # the replacement carries no variables: not a JSON problem
            replaced = True
            log.error("job %s: %s not sent, variables are not JSON", job_key, outcome.command)
            outcome = Fail(message=NOT_JSON_MESSAGE.format(reason=exc), retries=0)
            continue
        except (ApiError, httpx.HTTPError) as exc:
            reason = reason_of(exc)
            if reason == "NOT_FOUND":
                log.warning(
                    "job %s: %s rejected, the job is no longer active (%s)",
                    job_key,
                    outcome.command,
                    describe_error(exc),
                )
                return CommandResult("ignored", attempts, reason)
            unreachable = isinstance(exc, httpx.TransportError) and not isinstance(
                exc, httpx.TimeoutException
            )
            if not unreachable:
                answered_attempts += 1
            retry = unreachable or (
                reason in RETRIED_REASONS and answered_attempts < CAMUNDA_MAX_ATTEMPTS
            )
            if retry and _past_deadline(deadline_ms, pause, started):
                retry = False
            if not retry:
                log.error(
                    "job %s: %s failed after %d attempt(s): %s",
                    job_key,
                    outcome.command,
                    attempts,
                    describe_error(exc),
                )
                return CommandResult("failed", attempts, reason)
            log.info(
                "job %s: %s failed (%s), retrying in %.2fs",
                job_key,
                outcome.command,
                describe_error(exc),
                pause,
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_backoff)


def _past_deadline(deadline_ms: int, pause: float, started: float) -> bool:
    if deadline_ms:
        return time.time() * 1000 + pause * 1000 > deadline_ms
    return time.monotonic() + pause - started > DEADLINE_UNKNOWN_WAIT


async def _send_once(client: CamundaAsyncClient, job_key: int, outcome: Outcome) -> None:
    key = JobKey(str(job_key))
    if isinstance(outcome, Complete):
        await client.complete_job(
            key,
            data=JobCompletionRequest(
                variables=JobCompletionRequestVariables.from_dict(outcome.variables or {})
            ),
        )
    elif isinstance(outcome, Fail):
        await client.fail_job(
            key,
            data=JobFailRequest(
                retries=max(outcome.retries, 0),
                error_message=fail_message(outcome),
                retry_back_off=max(outcome.backoff_ms, 0),
                variables=JobFailRequestVariables.from_dict(outcome.variables or {}),
            ),
        )
    elif isinstance(outcome, ThrowError):
        await client.throw_job_error(
            key,
            data=JobErrorRequest(
                error_code=outcome.code,
                error_message=outcome.message,
                variables=JobErrorRequestVariables.from_dict(outcome.variables or {}),
            ),
        )
    else:  # pragma: no cover - Outcome is a closed union
        raise TypeError(f"unknown outcome {type(outcome).__name__}")


async def update_timeout(client: CamundaAsyncClient, job_key: int, timeout_ms: int) -> None:
    """``PATCH /v2/jobs/{key}`` with ``changeset.timeout`` (the jobTimeout header)."""
    await client.update_job(
        JobKey(str(job_key)),
        data=JobUpdateRequest(changeset=JobChangeset(timeout=timeout_ms)),
    )
