"""Send an Outcome as the engine's external-task command.

- ``Complete`` -> ``POST /external-task/{id}/complete`` ``{workerId, variables}``;
- ``ThrowError`` -> ``POST /external-task/{id}/bpmnError`` ``{workerId, errorCode,
  errorMessage, variables}``;
- ``Fail`` -> ``POST /external-task/{id}/failure`` ``{workerId, errorMessage, errorDetails,
  retries, retryTimeout}``: ``errorMessage`` is the failure's message cut at 666 characters
  (the engine keeps no more: ``ExternalTaskEntity.MAX_EXCEPTION_MESSAGE_LENGTH``),
  ``errorDetails`` the whole message with its error variables, as every engine's fail
  command carries it (``app.runtime.failures.fail_message``), both secret-masked.

(camunda/camunda-bpm-platform ``engine-rest/engine-rest-openapi/src/main/templates/paths/
external-task/{id}/complete/post.ftl``, ``failure/post.ftl``, ``bpmnError/post.ftl``.)

Answers meaning the command was not taken (502, 503, 504) are retried up to three attempts;
an unreachable engine is tried again until the task's lock would run out (``lock_left``
seconds), since giving up would run the connector twice; 404 (the task is gone: cancelled,
completed elsewhere) is ignored; anything else (400: the lock went to another worker; 500) is
logged and not retried.
Variables JSON cannot carry make the task fail with retries 0 instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import httpx

from app.engines.camunda7.client import Camunda7Client, Camunda7Error, describe
from app.engines.camunda7.variables import ObjectEncoding, VariableError, to_camunda
from app.runtime.failures import fail_message
from app.runtime.model import Complete, Fail, Outcome, ThrowError

log = logging.getLogger("switchboard.camunda7")

MAX_ERROR_MESSAGE = 666
ATTEMPTS = 3
FIRST_PAUSE = 0.05
NOT_JSON = "The task's result cannot be sent: {reason}"


@dataclass(frozen=True)
class CommandResult:
    """``sent``, ``ignored`` (404) or ``failed``; ``command`` is the endpoint used."""

    status: str
    command: str
    reason: str | None = None


async def send_outcome(
    client: Camunda7Client,
    task_id: str,
    worker_id: str,
    outcome: Outcome,
    *,
    objects: ObjectEncoding = "Json",
    lock_left: float = 0.0,
    max_pause: float = 5.0,
) -> CommandResult:
    """Send ``outcome`` with the rules of the module docstring."""
    try:
        command, body = request_for(outcome, worker_id, objects)
    except VariableError as exc:
        log.error("task %s: %s not sent, %s", task_id, outcome.command, exc)
        outcome = Fail(message=NOT_JSON.format(reason=exc), retries=0)
        command, body = request_for(outcome, worker_id, objects)
    pause = FIRST_PAUSE
    deadline = time.monotonic() + lock_left
    answered = 0
    while True:
        try:
            if command == "complete":
                await client.complete(task_id, body)
            elif command == "bpmnError":
                await client.bpmn_error(task_id, body)
            else:
                await client.failure(task_id, body)
            return CommandResult("sent", command)
        except Camunda7Error as exc:
            if exc.reason == "NOT_FOUND":
                log.warning("task %s: %s refused, the task is gone (%s)", task_id, command, exc)
                return CommandResult("ignored", command, exc.reason)
            answered += 1
            if exc.reason != "UNAVAILABLE" or answered == ATTEMPTS:
                log.error("task %s: %s failed: %s", task_id, command, describe(exc))
                return CommandResult("failed", command, exc.reason)
        except httpx.HTTPError as exc:
            if time.monotonic() + pause > deadline:
                log.error("task %s: %s failed: %s", task_id, command, describe(exc))
                return CommandResult("failed", command, "UNAVAILABLE")
        log.info("task %s: %s not taken, retrying in %.2fs", task_id, command, pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, max_pause)


def request_for(
    outcome: Outcome, worker_id: str, objects: ObjectEncoding = "Json"
) -> tuple[str, dict[str, object]]:
    """The endpoint name and JSON body for ``outcome``; raises VariableError."""
    if isinstance(outcome, Complete):
        return "complete", {
            "workerId": worker_id,
            "variables": to_camunda(outcome.variables, objects),
        }
    if isinstance(outcome, ThrowError):
        return "bpmnError", {
            "workerId": worker_id,
            "errorCode": outcome.code,
            "errorMessage": outcome.message,
            "variables": to_camunda(outcome.variables, objects),
        }
    if isinstance(outcome, Fail):
        return "failure", {
            "workerId": worker_id,
            "errorMessage": outcome.message[:MAX_ERROR_MESSAGE],
            "errorDetails": fail_message(outcome),
            "retries": max(outcome.retries, 0),
            "retryTimeout": max(outcome.backoff_ms, 0),
        }
    raise TypeError(f"unknown outcome {type(outcome).__name__}")  # pragma: no cover
