"""Send an Outcome to the gateway: Complete -> CompleteJob, Fail -> FailJob (explicit retries
and backoff), ThrowError -> ThrowError, on the generated gRPC stub.

Error handling follows Camunda's job handler (camunda/camunda
``clients/java/.../io/camunda/client/jobhandling/JobCallbackCommandWrapper.java``, used by
camunda/connectors ``connector-runtime-spring/.../outbound/job/SpringConnectorJobHandler.java``
with ``MAX_ZEEBE_COMMAND_RETRIES = 3``):

- retried: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE, DATA_LOSS,
  at most three attempts in all and never past the job's deadline;
- ignored: NOT_FOUND (the job is gone: cancelled, timed out and answered elsewhere);
- everything else (INVALID_ARGUMENT, FAILED_PRECONDITION, INTERNAL, ...): not retried.

One deliberate step beyond Camunda: while the gateway is UNAVAILABLE (unreachable, restarting)
the finished result is kept and the command re-sent until the job's deadline, because giving
up would re-run a connector that may not be idempotent. The re-send waits for the channel to
be READY again (``wait_for_ready``), so the channel's own reconnect backoff is the only one:
two backoffs never stack.

Variables are encoded once, as strict JSON: NaN and Infinity (which Python's ``json`` would
write and Zeebe rejects as INVALID_ARGUMENT) never reach the gateway; a result that cannot be
encoded fails the job with retries 0 instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb

from app.runtime.failures import fail_message
from app.runtime.model import Complete, Fail, Outcome, ThrowError

log = logging.getLogger("switchboard.zeebe")

RETRIABLE = frozenset(
    {
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DATA_LOSS,
    }
)
IGNORED = frozenset({grpc.StatusCode.NOT_FOUND})
CAMUNDA_MAX_ATTEMPTS = 3  # SpringConnectorJobHandler.MAX_ZEEBE_COMMAND_RETRIES
FIRST_RETRY_DELAY = 0.05  # JobCallbackCommandWrapper.currentRetryDelay starts at 50 ms
MAX_ERROR_MESSAGE_LENGTH = 6000  # camunda/connectors: ConnectorJobHandler's message cap
_DEADLINE_UNKNOWN_WAIT = 300.0  # how long UNAVAILABLE is waited out when the deadline is unknown


class VariablesNotJson(ValueError):
    """The outcome's variables cannot be written as strict JSON (NaN, Infinity)."""


@dataclass(frozen=True)
class CommandResult:
    """What became of one command: ``sent``, ``ignored`` (NOT_FOUND) or ``failed``."""

    status: str
    attempts: int
    code: grpc.StatusCode | None = None


def encode_variables(variables: Mapping[str, Any] | None) -> str:
    """Strict, compact JSON for a command's ``variables`` field (``{}`` for none)."""
    if not variables:
        return "{}"
    try:
        return json.dumps(variables, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        raise VariablesNotJson(str(exc)) from None


def build_request(
    job_key: int, outcome: Outcome
) -> tuple[str, pb.CompleteJobRequest | pb.FailJobRequest | pb.ThrowErrorRequest]:
    """The gRPC method name and request for an outcome. Raises :class:`VariablesNotJson`."""
    if isinstance(outcome, Complete):
        return "CompleteJob", pb.CompleteJobRequest(
            jobKey=job_key, variables=encode_variables(outcome.variables)
        )
    if isinstance(outcome, Fail):
        return "FailJob", pb.FailJobRequest(
            jobKey=job_key,
            retries=max(outcome.retries, 0),
            errorMessage=fail_message(outcome),
            retryBackOff=max(outcome.backoff_ms, 0),
            variables=encode_variables(outcome.variables),
        )
    if isinstance(outcome, ThrowError):
        return "ThrowError", pb.ThrowErrorRequest(
            jobKey=job_key,
            errorCode=outcome.code,
            errorMessage=outcome.message[:MAX_ERROR_MESSAGE_LENGTH],
            variables=encode_variables(outcome.variables),
        )
    raise TypeError(f"unknown outcome {type(outcome).__name__}")  # pragma: no cover


class CommandSender:
    """Sends outcomes over one gateway stub; counts the commands waiting for the gateway."""

    def __init__(self, stub: Any, *, max_backoff: float = 5.0) -> None:
        self.stub = stub
        self.max_backoff = max_backoff
        self.pending = 0  # commands kept while the gateway is unavailable

    async def send(self, job_key: int, outcome: Outcome, *, deadline_ms: int = 0) -> CommandResult:
        """Send the command for ``outcome`` with Camunda's retry rules (see the module doc)."""
        try:
            method, request = build_request(job_key, outcome)
        except VariablesNotJson as exc:
            log.error(
                "job %s: the %s variables are not valid JSON (%s); failing the job",
                job_key,
                outcome.command,
                exc,
            )
            outcome = Fail(
                message="Switchboard cannot send the result to Zeebe: its variables are not "
                f"valid JSON ({exc})",
                retries=0,
            )
            method, request = build_request(job_key, outcome)
        call = getattr(self.stub, method)
        attempts = 0
        limited = 0  # attempts that count against Camunda's limit (all but UNAVAILABLE)
        delay = FIRST_RETRY_DELAY
        waiting = False
        try:
            while True:
                attempts += 1
                ready_wait = waiting
                try:
                    if ready_wait:
                        await call(request, wait_for_ready=True, timeout=_remaining(deadline_ms))
                    else:
                        await call(request)
                    return CommandResult("sent", attempts)
                except grpc.aio.AioRpcError as exc:
                    code = exc.code()
                    if code in IGNORED:
                        log.warning(
                            "job %s: %s ignored, the job no longer exists (NOT_FOUND)",
                            job_key,
                            outcome.command,
                        )
                        return CommandResult("ignored", attempts, code)
                    if code not in RETRIABLE:
                        log.error(
                            "job %s: %s rejected with %s, not retried: %s",
                            job_key,
                            outcome.command,
                            code.name,
                            (exc.details() or "")[:300],
                        )
                        return CommandResult("failed", attempts, code)
                    past_deadline = deadline_ms and time.time() * 1000 >= deadline_ms
                    if code is grpc.StatusCode.UNAVAILABLE or (
                        ready_wait and code is grpc.StatusCode.DEADLINE_EXCEEDED
                    ):
                        # Beyond Camunda: keep the result until the job's deadline.
                        if past_deadline or (ready_wait and _remaining(deadline_ms) <= 0):
                            return self._give_up(job_key, outcome, attempts, code)
                        if not waiting:
                            waiting = True
                            self.pending += 1
                            log.warning(
                                "job %s: gateway unavailable; keeping the %s result until the "
                                "job's deadline",
                                job_key,
                                outcome.command,
                            )
                        continue
                    limited += 1
                    if limited >= CAMUNDA_MAX_ATTEMPTS or past_deadline:
                        return self._give_up(job_key, outcome, attempts, code)
                    log.info(
                        "job %s: %s failed (%s), retrying in %.2fs",
                        job_key,
                        outcome.command,
                        code.name,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_backoff)
        finally:
            if waiting:
                self.pending -= 1

    def _give_up(
        self, job_key: int, outcome: Outcome, attempts: int, code: grpc.StatusCode
    ) -> CommandResult:
        log.error(
            "job %s: giving up sending %s after %d attempt(s): %s; Zeebe hands the job out "
            "again when its timeout expires",
            job_key,
            outcome.command,
            attempts,
            code.name,
        )
        return CommandResult("failed", attempts, code)


def _remaining(deadline_ms: int) -> float:
    if not deadline_ms:
        return _DEADLINE_UNKNOWN_WAIT
    return max(deadline_ms / 1000 - time.time(), 0.0)
