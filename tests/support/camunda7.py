"""A stand-in of the Camunda 7 / Operaton engine REST API's external-task endpoints.

Real HTTP on loopback (Starlette served by uvicorn, inside the test's event loop). Tests add
external tasks with their typed variables and extension properties; the worker under test
fetches, locks and answers them exactly as it would a real engine, and every request body is
recorded for assertions.

Behaviour, from Camunda 7's public sources (camunda/camunda-bpm-platform; read, not copied):

- Shapes: ``engine-rest/engine-rest-openapi/src/main/templates/paths/external-task/``
  (``fetchAndLock/post.ftl``, ``{id}/complete/post.ftl``, ``{id}/failure/post.ftl``,
  ``{id}/bpmnError/post.ftl``, ``{id}/extendLock/post.ftl``, ``{id}/unlock/post.ftl``):
  204 with no body on success; ``LockedExternalTaskDto`` answers with typed variables
  ``{type, value, valueInfo}`` and, with ``includeExtensionProperties``,
  ``extensionProperties``.
- Topic ``variables``: absent or null fetches every variable, a list only those named (an
  empty list none) (``FetchExternalTaskTopicDto``: "If not provided - all variables will be
  fetched").
- Long polling: with ``asyncResponseTimeout`` the answer waits until a task can be locked or
  the timeout passes, then answers ``[]``; a waiting request whose client disconnected locks
  nothing more.
- Refusals (``engine-rest/.../sub/externaltask/impl/ExternalTaskResourceImpl.java``,
  ``engine/.../impl/cmd/HandleExternalTaskCmd.java``, ``ExtendLockOnExternalTaskCmd.java``,
  ``rest/exception/ExceptionHandlerHelper.java``, ``rest/dto/ExceptionDto.java``): the body
  is ``{"type": <exception class>, "message": ...}``; an unknown task is 404 RestException
  ``External task with id X does not exist``; a worker other than the lock's is 400
  RestException ``<what> cannot be ... by worker 'w'. It is locked by worker 'v'.`` (extendLock's
  text has ``'w''``); no
  ``workerId`` is 500 NullValueException ``workerId is null``; no ``errorCode`` on bpmnError
  is 500 NullValueException; extending an expired lock is 400 ``Cannot extend a lock that
  expired``; a non-positive ``newDuration`` is 400. Completing after the lock expired is
  accepted while no other worker locked the task (only the worker id is checked).
- Failure: ``retries`` and ``retryTimeout`` are Java primitives in ``ExternalTaskFailureDto``
  (``engine-rest/engine-rest/src/main/java/.../rest/dto/externaltask/
  ExternalTaskFailureDto.java``; missing: 0); retries 0 raises an incident (the task is no
  longer fetched); otherwise the task is fetchable again once ``retryTimeout`` ms passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

_ids = itertools.count(1)


@dataclass
class ExternalTask:
    """One external task of the stand-in; ``variables`` are typed (Camunda 7 shape)."""

    id: str
    topic: str
    variables: dict[str, dict[str, Any]]
    extension_properties: dict[str, str]
    process_instance_id: str
    process_definition_key: str
    activity_id: str
    retries: int | None = None
    priority: int = 0
    tenant_id: str | None = None
    business_key: str | None = None
    worker_id: str | None = None
    lock_expires: float | None = None  # epoch seconds
    error_message: str | None = None
    error_details: str | None = None
    state: str = "open"  # open, completed, bpmn_error, incident
    result: dict[str, Any] | None = None  # the body that closed it

    def locked(self, now: float) -> bool:
        return self.lock_expires is not None and self.lock_expires > now

    def fetchable(self, now: float) -> bool:
        return self.state == "open" and not self.locked(now)


@dataclass
class Call:
    """One request as it arrived."""

    path: str
    body: Any
    status: int = 0
    authorization: str | None = None
    at: float = field(default_factory=time.time)


def typed(value: Any) -> dict[str, Any]:
    """A plain value as Camunda 7 would serve it (for tests adding tasks)."""
    if value is None:
        return {"type": "Null", "value": None, "valueInfo": {}}
    if isinstance(value, bool):
        return {"type": "Boolean", "value": value, "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if -(2**31) <= value < 2**31 else "Long"
        return {"type": kind, "value": value, "valueInfo": {}}
    if isinstance(value, float):
        return {"type": "Double", "value": value, "valueInfo": {}}
    if isinstance(value, str):
        return {"type": "String", "value": value, "valueInfo": {}}
    return {"type": "Json", "value": json.dumps(value), "valueInfo": {}}


class EngineError(Exception):
    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


def _not_found(task_id: str) -> EngineError:
    return EngineError(404, "RestException", f"External task with id {task_id} does not exist")


class Camunda7StandIn:
    """The endpoints under ``{address}/external-task``; ``auth``: the exact Authorization
    header required (401 without it), or None."""

    def __init__(self, *, host: str = "127.0.0.1", auth: str | None = None) -> None:
        self.host = host
        self.port = 0
        self.auth = auth
        self.tasks: dict[str, ExternalTask] = {}
        self.calls: list[Call] = []
        self.process_variables: dict[str, dict[str, Any]] = {}
        self.faults: list[tuple[str, int]] = []  # (path suffix, status), answered in order
        self._changed = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._serve: asyncio.Task[None] | None = None
        prefix = "/engine-rest/external-task"
        self.app = Starlette(
            routes=[
                Route(f"{prefix}/fetchAndLock", self._fetch_and_lock, methods=["POST"]),
                Route(f"{prefix}/{{id}}/complete", self._complete, methods=["POST"]),
                Route(f"{prefix}/{{id}}/failure", self._failure, methods=["POST"]),
                Route(f"{prefix}/{{id}}/bpmnError", self._bpmn_error, methods=["POST"]),
                Route(f"{prefix}/{{id}}/extendLock", self._extend_lock, methods=["POST"]),
                Route(f"{prefix}/{{id}}/unlock", self._unlock, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------------ test API

    @property
    def address(self) -> str:
        """The engine REST base URL (``SWITCHBOARD_CAMUNDA7_URL``)."""
        return f"http://{self.host}:{self.port}/engine-rest"

    def add_task(
        self,
        topic: str,
        variables: Mapping[str, Any] | None = None,
        *,
        properties: Mapping[str, str] | None = None,
        typed_variables: Mapping[str, dict[str, Any]] | None = None,
        retries: int | None = None,
        task_id: str | None = None,
        process_definition_key: str = "order-process",
        activity_id: str = "ServiceTask_1",
    ) -> ExternalTask:
        """Add an open task; ``variables`` are plain values (typed with :func:`typed`),
        ``typed_variables`` are given as the engine stores them."""
        values = {k: typed(v) for k, v in (variables or {}).items()}
        values.update(typed_variables or {})
        task = ExternalTask(
            id=task_id or str(uuid.uuid4()),
            topic=topic,
            variables=values,
            extension_properties=dict(properties or {}),
            process_instance_id=str(next(_ids)),
            process_definition_key=process_definition_key,
            activity_id=activity_id,
            retries=retries,
        )
        self.tasks[task.id] = task
        self._changed.set()
        return task

    def fail_next(self, suffix: str, status: int = 503, times: int = 1) -> None:
        """Answer the next ``times`` requests whose path ends with ``suffix`` with
        ``status`` (an engine behind a proxy that is restarting, say)."""
        self.faults.extend([(suffix, status)] * times)

    def calls_to(self, suffix: str) -> list[Call]:
        return [c for c in self.calls if c.path.endswith(suffix)]

    def expire_lock(self, task_id: str) -> None:
        """Let the task's lock run out now (as if its lockDuration had passed)."""
        self.tasks[task_id].lock_expires = time.time() - 0.001
        self._changed.set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> Camunda7StandIn:
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._serve = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._serve.done():
                await self._serve
            await asyncio.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None and self._serve is not None:
            self._server.should_exit = True
            self._changed.set()
            try:
                async with asyncio.timeout(5):
                    await self._serve
            except TimeoutError:
                self._serve.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._serve
        self._server = self._serve = None

    async def __aenter__(self) -> Camunda7StandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ plumbing

    async def _handle(self, request: Request, handler: Any) -> Response:
        try:
            raw = await request.body()
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        call = Call(request.url.path, body, authorization=request.headers.get("authorization"))
        self.calls.append(call)
        if self.auth is not None and call.authorization != self.auth:
            call.status = 401
            return Response(status_code=401, headers={"WWW-Authenticate": 'Basic realm="x"'})
        fault = next((f for f in self.faults if call.path.endswith(f[0])), None)
        if fault is not None:
            self.faults.remove(fault)
            call.status = fault[1]
            return Response(b"<html>unavailable</html>", fault[1], media_type="text/html")
        try:
            if raw and not isinstance(body, dict):
                raise EngineError(400, "InvalidRequestException", "The request body is not JSON")
            answer = await handler(request, body or {})
        except EngineError as exc:
            call.status = exc.status
            return JSONResponse({"type": exc.type, "message": exc.message}, exc.status)
        if answer is None:
            call.status = 204
            return Response(status_code=204)
        call.status = 200
        return JSONResponse(answer)

    def _task_for(self, request: Request, body: Mapping[str, Any], what: str) -> ExternalTask:
        task_id = request.path_params["id"]
        worker = body.get("workerId")
        if worker is None:
            raise EngineError(500, "NullValueException", "workerId is null")
        task = self.tasks.get(task_id)
        if task is None or task.state != "open":
            raise _not_found(task_id)
        if worker != task.worker_id:
            raise EngineError(
                400,
                "RestException",
                # The command's text ends "by worker 'w" (extendLock's "by worker 'w'"),
                # then "'. It is locked by worker 'v'." is appended.
                f"{what.format(id=task_id, worker=worker)}'. It is locked by worker "
                f"'{task.worker_id}'.",
            )
        return task

    # ------------------------------------------------------------------ endpoints

    async def _fetch_and_lock(self, request: Request) -> Response:
        return await self._handle(request, self._do_fetch)

    async def _do_fetch(self, request: Request, body: Mapping[str, Any]) -> list[Any]:
        worker = body.get("workerId")
        if not isinstance(worker, str):
            raise EngineError(400, "InvalidRequestException", "workerId is null")
        max_tasks = body.get("maxTasks")
        topics = body.get("topics") or []
        if not isinstance(max_tasks, int) or not isinstance(topics, list):
            raise EngineError(400, "InvalidRequestException", "maxTasks and topics required")
        wanted = {t["topicName"]: t for t in topics if isinstance(t, dict) and "topicName" in t}
        timeout_ms = body.get("asyncResponseTimeout")
        deadline = time.monotonic() + (timeout_ms or 0) / 1000
        while True:
            locked = self._lock(worker, max_tasks, wanted, bool(body.get("usePriority")))
            if locked or time.monotonic() >= deadline or self._server is None:
                return locked
            # A client that went away locks nothing more (the worker stopped mid poll).
            if self._server.should_exit or await request.is_disconnected():
                return []
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(0.05, max(deadline - time.monotonic(), 0))):
                    await self._changed.wait()

    def _lock(
        self, worker: str, max_tasks: int, topics: Mapping[str, Any], by_priority: bool
    ) -> list[dict[str, Any]]:
        now = time.time()
        candidates = [t for t in self.tasks.values() if t.topic in topics and t.fetchable(now)]
        if by_priority:
            candidates.sort(key=lambda t: -t.priority)
        answer = []
        for task in candidates[:max_tasks]:
            topic = topics[task.topic]
            task.worker_id = worker
            task.lock_expires = now + int(topic.get("lockDuration") or 0) / 1000
            names = topic.get("variables")
            if names is None:
                variables = dict(task.variables)
            else:
                variables = {n: task.variables[n] for n in names if n in task.variables}
            answer.append(self._locked_dto(task, variables, topic))
        return answer

    def _locked_dto(
        self, task: ExternalTask, variables: dict[str, Any], topic: Mapping[str, Any]
    ) -> dict[str, Any]:
        expires = dt.datetime.fromtimestamp(task.lock_expires or 0, dt.UTC)
        dto: dict[str, Any] = {
            "activityId": task.activity_id,
            "activityInstanceId": f"{task.activity_id}:{task.id}",
            "errorMessage": task.error_message,
            "errorDetails": task.error_details,
            "executionId": task.id,
            "id": task.id,
            "lockExpirationTime": expires.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
            "processDefinitionId": f"{task.process_definition_key}:1:{task.id}",
            "processDefinitionKey": task.process_definition_key,
            "processDefinitionVersionTag": None,
            "processInstanceId": task.process_instance_id,
            "tenantId": task.tenant_id,
            "retries": task.retries,
            "workerId": task.worker_id,
            "priority": task.priority,
            "topicName": task.topic,
            "businessKey": task.business_key,
            "variables": variables,
        }
        if topic.get("includeExtensionProperties"):
            dto["extensionProperties"] = dict(task.extension_properties)
        else:
            dto["extensionProperties"] = {}
        return dto

    async def _complete(self, request: Request) -> Response:
        async def handle(request: Request, body: Mapping[str, Any]) -> None:
            task = self._task_for(
                request, body, "External Task {id} cannot be completed by worker '{worker}"
            )
            self._close(task, "completed", body)

        return await self._handle(request, handle)

    async def _failure(self, request: Request) -> Response:
        async def handle(request: Request, body: Mapping[str, Any]) -> None:
            task = self._task_for(
                request,
                body,
                "Failure of External Task {id} cannot be reported by worker '{worker}",
            )
            retries = body.get("retries") or 0
            timeout_ms = body.get("retryTimeout") or 0
            if not isinstance(retries, int) or retries < 0:
                raise EngineError(500, "ProcessEngineException", "retries is not >= 0")
            if not isinstance(timeout_ms, int) or timeout_ms < 0:
                raise EngineError(500, "ProcessEngineException", "retryDuration is not >= 0")
            task.retries = retries
            task.error_message = body.get("errorMessage")
            task.error_details = body.get("errorDetails")
            task.result = dict(body)
            if retries == 0:
                task.state = "incident"
                return
            task.lock_expires = time.time() + timeout_ms / 1000 if timeout_ms else None
            if not timeout_ms:
                task.worker_id = None
            self._changed.set()

        return await self._handle(request, handle)

    async def _bpmn_error(self, request: Request) -> Response:
        async def handle(request: Request, body: Mapping[str, Any]) -> None:
            task = self._task_for(
                request,
                body,
                "Bpmn error of External Task {id} cannot be reported by worker '{worker}",
            )
            if body.get("errorCode") is None:
                raise EngineError(500, "NullValueException", "errorCode is null")
            self._close(task, "bpmn_error", body)

        return await self._handle(request, handle)

    async def _extend_lock(self, request: Request) -> Response:
        async def handle(request: Request, body: Mapping[str, Any]) -> None:
            duration = body.get("newDuration")
            if not isinstance(duration, int) or duration <= 0:
                raise EngineError(400, "RestException", "lockTime is not greater than 0")
            task = self._task_for(
                request,
                body,
                "The lock of the External Task {id} cannot be extended by worker '{worker}'",
            )
            now = time.time()
            if task.lock_expires is None or task.lock_expires < now:
                raise EngineError(400, "RestException", "Cannot extend a lock that expired")
            task.lock_expires = now + duration / 1000

        return await self._handle(request, handle)

    async def _unlock(self, request: Request) -> Response:
        async def handle(request: Request, body: Mapping[str, Any]) -> None:
            task_id = request.path_params["id"]
            task = self.tasks.get(task_id)
            if task is None or task.state != "open":
                raise _not_found(task_id)
            task.worker_id = None
            task.lock_expires = None
            self._changed.set()

        return await self._handle(request, handle)

    def _close(self, task: ExternalTask, state: str, body: Mapping[str, Any]) -> None:
        task.state = state
        task.result = dict(body)
        task.lock_expires = None
        variables = body.get("variables") or {}
        if isinstance(variables, dict):
            scope = self.process_variables.setdefault(task.process_instance_id, {})
            scope.update(variables)
