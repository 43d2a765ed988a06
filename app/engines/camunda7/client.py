"""The engine's external-task endpoints over httpx (camunda/camunda-bpm-platform
``engine-rest/engine-rest-openapi/src/main/templates/paths/external-task/``: ``fetchAndLock``,
``{id}/complete``, ``{id}/failure``, ``{id}/bpmnError``, ``{id}/extendLock``,
``{id}/unlock``).

Refusals carry the engine's error body ``{"type", "message"}`` (``ExceptionDto``); they are
raised as :class:`Camunda7Error` with the HTTP status mapped onto the engine errors' reason
vocabulary: 404 NOT_FOUND (task gone), 400 FAILED_PRECONDITION (locked by another worker,
lock expired, bad request), 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 500 INTERNAL, 502 /
503 / 504 UNAVAILABLE. Unreachable engines raise ``httpx.TransportError``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from app.runtime.engine import EngineRejectedError

_REASONS = {
    400: "FAILED_PRECONDITION",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "UNAVAILABLE",
}
MAX_ERROR_TEXT = 500


class Camunda7Error(EngineRejectedError):
    """The engine answered with an error status; ``status``, ``type`` and ``message`` are its
    answer's."""

    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(
            f"HTTP {status} {type_}: {message}" if type_ else f"HTTP {status}: {message}",
            reason=_REASONS.get(status, "UNKNOWN"),
        )
        self.status = status
        self.type = type_
        self.detail = message


def describe(exc: BaseException) -> str:
    """One line for logs and readiness; never a request body or credential."""
    if isinstance(exc, Camunda7Error):
        return exc.message
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.TransportError):
        return f"unreachable ({type(exc).__name__})"
    return type(exc).__name__


class Camunda7Client:
    """``POST``s to ``{base_url}/external-task/...``; ``auth`` is an httpx auth or None."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        headers: dict[str, str] | None = None,
        read_timeout: float = 30.0,
        max_connections: int = 10,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/external-task",
            auth=auth,
            headers=headers,
            timeout=httpx.Timeout(10.0, read=read_timeout),
            limits=httpx.Limits(max_connections=max_connections),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def fetch_and_lock(self, body: dict[str, Any], *, read_timeout: float) -> list[Any]:
        """The locked tasks (``LockedExternalTaskDto`` objects); ``read_timeout`` bounds the HTTP
        read (the long poll plus a margin)."""
        answer = await self._post("/fetchAndLock", body, read_timeout=read_timeout)
        tasks = answer.json() if answer.content else []
        if not isinstance(tasks, list):
            raise Camunda7Error(answer.status_code, "", "fetchAndLock did not answer a list")
        return tasks

    async def complete(self, task_id: str, body: dict[str, Any]) -> None:
        await self._post(f"/{_quoted(task_id)}/complete", body)

    async def failure(self, task_id: str, body: dict[str, Any]) -> None:
        await self._post(f"/{_quoted(task_id)}/failure", body)

    async def bpmn_error(self, task_id: str, body: dict[str, Any]) -> None:
        await self._post(f"/{_quoted(task_id)}/bpmnError", body)

    async def extend_lock(self, task_id: str, worker_id: str, new_duration_ms: int) -> None:
        body = {"workerId": worker_id, "newDuration": new_duration_ms}
        await self._post(f"/{_quoted(task_id)}/extendLock", body)

    async def unlock(self, task_id: str) -> None:
        await self._post(f"/{_quoted(task_id)}/unlock", None)

    async def _post(
        self, path: str, body: dict[str, Any] | None, *, read_timeout: float | None = None
    ) -> httpx.Response:
        extra: dict[str, Any] = {}
        if read_timeout is not None:
            extra["timeout"] = httpx.Timeout(10.0, read=read_timeout)
        if body is None:
            answer = await self._http.post(path, **extra)
        else:
            answer = await self._http.post(path, json=body, **extra)
        if answer.status_code >= 400:
            raise _error(answer)
        return answer


def _quoted(task_id: str) -> str:
    return quote(task_id, safe="")


def _error(answer: httpx.Response) -> Camunda7Error:
    type_, message = "", ""
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        type_ = str(body.get("type") or "")
        message = str(body.get("message") or "")
    if not message:
        message = answer.reason_phrase or "no error body"
    return Camunda7Error(answer.status_code, type_[:100], message[:MAX_ERROR_TEXT])
