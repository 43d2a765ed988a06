"""A stand-in of Camunda's Orchestration Cluster REST API, over the test gateway's state.

Real HTTP on loopback (Starlette served by uvicorn). The endpoints and their shapes are those
of Camunda's OpenAPI spec, camunda/camunda ``zeebe/gateway-protocol/src/main/proto/v2/``
(``jobs.yaml``, ``messages.yaml``, ``process-definitions.yaml``, ``process-instances.yaml``,
``deployments.yaml``, ``problem-detail.yaml``; the element-instance and variable searches in
``tests.support.camunda_rest_search``), with every field the SDK
``camunda-orchestration-sdk`` 10.x requires in its answers.

One process model serves both transports: the REST front holds no job or process state of
its own. Each job or process command is handed to the gRPC gateway's own servicer
(``tests.support.gateway``), in process, exactly as Camunda's REST gateway hands a request to
the same broker as its gRPC gateway does; so refusals, faults injected with
``TestGateway.inject``, recorded calls and the process walk are the same on both transports.
The broker's answers are mapped to HTTP as the REST gateway maps them (camunda/camunda
``zeebe/gateway-rest/src/main/java/io/camunda/zeebe/gateway/rest/RestErrorMapper.java``:
NOT_FOUND 404, INVALID_STATE and ALREADY_EXISTS 409, INVALID_ARGUMENT 400; back pressure 503
with title RESOURCE_EXHAUSTED, as ``GatewayErrorMapper`` and the spec's ServiceUnavailable
response say).

Request bodies are read as strictly as the REST gateway reads them since it refuses unknown
properties and coercion (camunda/camunda pull request 37895, in 8.8): an unknown property or a
value of the wrong type is 400 ``Request property [name] cannot be parsed``; a missing required
value is 400 ``No <name> provided.`` with title INVALID_ARGUMENT
(``gateway/mapping/http/validator/JobRequestValidator.java``, ``RequestValidator.java``).

In process (inside a running event loop)::

    async with TestGateway() as gw, CamundaRestStandIn(gw) as rest:
        ...  # CAMUNDA_REST_ADDRESS=rest.address

As a process for benchmarks (prints ``LISTENING http://host:port``, then one JSON statistics
line once every seeded job reached a final state)::

    python -m tests.support.camunda_rest --jobs 20000 --type noop --report
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import uvicorn
from pyzeebe.proto import gateway_pb2 as pb
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support import camunda_rest_search as search_rows
from tests.support.bpmn import parse_bpmn
from tests.support.gateway import (
    DEFAULT_TENANT,
    GatewayTimeout,
    TestGateway,
    _Servicer,
    job_statistics,
)
from tests.support.rest_requests import (
    Check,
    Problem,
    _is_bool,
    _is_int,
    _is_key,
    _is_nullable_object,
    _is_object,
    _is_str,
    _is_str_list,
    _json_body,
    _missing,
    _path_key,
    _read,
    _unparsable,
)

PHYSICAL_TENANT = "default"  # the SDK's example value for the default physical tenant
DEFAULT_PAGE_LIMIT = 100  # spec: "Server default: 100"

# gRPC status of the gateway's answer -> (HTTP status, problem title), as RestErrorMapper.
_GRPC_TO_HTTP: dict[grpc.StatusCode, tuple[int, str]] = {
    grpc.StatusCode.NOT_FOUND: (404, "NOT_FOUND"),
    grpc.StatusCode.FAILED_PRECONDITION: (409, "INVALID_STATE"),
    grpc.StatusCode.ALREADY_EXISTS: (409, "ALREADY_EXISTS"),
    grpc.StatusCode.INVALID_ARGUMENT: (400, "INVALID_ARGUMENT"),
    grpc.StatusCode.UNAUTHENTICATED: (401, "UNAUTHORIZED"),
    grpc.StatusCode.PERMISSION_DENIED: (403, "FORBIDDEN"),
    grpc.StatusCode.RESOURCE_EXHAUSTED: (503, "RESOURCE_EXHAUSTED"),
    grpc.StatusCode.UNAVAILABLE: (503, "UNAVAILABLE"),
    grpc.StatusCode.DEADLINE_EXCEEDED: (504, "DEADLINE_EXCEEDED"),
    grpc.StatusCode.ABORTED: (502, "ABORTED"),
}


# --------------------------------------------------------------------- the gateway bridge


class _Aborted(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


class _Context:
    """What the gateway's servicer uses of a ``grpc.aio.ServicerContext``."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    async def abort(self, code: grpc.StatusCode, details: str = "") -> None:
        raise _Aborted(code, details)


def _problem_for(aborted: _Aborted) -> Problem:
    status, title = _GRPC_TO_HTTP.get(aborted.code, (500, aborted.code.name))
    return Problem(status, title, aborted.details)


@dataclass
class RestCall:
    """One received HTTP request, recorded when it was answered."""

    method: str
    path: str
    status: int
    body: Any = None  # the parsed JSON body (tests assert what the engine sent)
    at: float = field(default_factory=time.monotonic)


# --------------------------------------------------------------------- the stand-in


class CamundaRestStandIn:
    """The REST front onto a :class:`TestGateway`; see the module docstring."""

    __test__ = False

    def __init__(
        self,
        gateway: TestGateway,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record_calls: bool = True,
    ) -> None:
        self.gateway = gateway
        self.host = host
        self.port = port
        self.record_calls = record_calls
        self.calls: list[RestCall] = []
        self._servicer = _Servicer(gateway)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._long_polls: set[asyncio.Future[list[Any]]] = set()
        self._variable_keys: dict[tuple[int, str], str] = {}
        self.app = Starlette(
            routes=[
                Route("/v2/jobs/activation", self._activate, methods=["POST"]),
                Route("/v2/jobs/{jobKey}/completion", self._complete, methods=["POST"]),
                Route("/v2/jobs/{jobKey}/failure", self._fail, methods=["POST"]),
                Route("/v2/jobs/{jobKey}/error", self._throw_error, methods=["POST"]),
                Route("/v2/jobs/{jobKey}", self._update_job, methods=["PATCH"]),
                Route("/v2/process-definitions/search", self._search_definitions, methods=["POST"]),
                Route(
                    "/v2/process-definitions/{processDefinitionKey}/xml",
                    self._definition_xml,
                    methods=["GET"],
                ),
                Route(
                    "/v2/process-definitions/{processDefinitionKey}",
                    self._definition,
                    methods=["GET"],
                ),
                Route("/v2/messages/publication", self._publish, methods=["POST"]),
                Route("/v2/messages/correlation", self._correlate, methods=["POST"]),
                Route("/v2/process-instances", self._create_instance, methods=["POST"]),
                Route("/v2/deployments", self._deploy, methods=["POST"]),
                Route(
                    "/v2/element-instances/search",
                    self._search_element_instances,
                    methods=["POST"],
                ),
                Route("/v2/variables/search", self._search_variables, methods=["POST"]),
                Route(
                    "/v2/process-definitions/statistics/message-subscriptions",
                    self._subscription_statistics,
                    methods=["POST"],
                ),
            ]
        )

    # ----------------------------------------------------------------- lifecycle

    @property
    def address(self) -> str:
        """The base URL to give as ``CAMUNDA_REST_ADDRESS`` (the SDK appends ``/v2``)."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> CamundaRestStandIn:
        self._stopping = False
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
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task  # raises the start-up error
            await asyncio.sleep(0.005)
        # Port 0: the port the server was given.
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._stopping = True
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            try:
                async with asyncio.timeout(5):
                    await self._task
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        self._server = None
        self._task = None

    async def __aenter__(self) -> CamundaRestStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def calls_to(self, method: str, path_suffix: str) -> list[RestCall]:
        """Recorded calls whose path ends with ``path_suffix`` (e.g. ``"/completion"``)."""
        return [c for c in self.calls if c.method == method and c.path.endswith(path_suffix)]

    # ----------------------------------------------------------------- plumbing

    async def _answer(self, request: Request, handle: Callable[[Request], Any]) -> Response:
        recorded: Any = None
        try:
            response, recorded = await handle(request)
        except (Problem, _Aborted) as exc:
            problem = _problem_for(exc) if isinstance(exc, _Aborted) else exc
            response = JSONResponse(
                {
                    "type": "about:blank",
                    "title": problem.title,
                    "status": problem.status,
                    "detail": problem.detail,
                    "instance": request.url.path,
                },
                status_code=problem.status,
                media_type="application/problem+json",
            )
        if self.record_calls:
            self.calls.append(
                RestCall(request.method, request.url.path, response.status_code, recorded)
            )
        return response

    def _context(self, request: Request) -> _Context:
        authorization = request.headers.get("authorization")
        return _Context((("authorization", authorization),) if authorization else ())

    def _check_auth(self, request: Request) -> None:
        token = self.gateway.required_token
        if token is not None and request.headers.get("authorization") != f"Bearer {token}":
            raise Problem(401, "Unauthorized", "missing or wrong token")

    async def _gateway_call(self, method: str, message: Any, request: Request) -> Any:
        return await getattr(self._servicer, method)(message, self._context(request))

    # ----------------------------------------------------------------- jobs

    async def _activate(self, request: Request) -> Response:
        return await self._answer(request, self._do_activate)

    async def _do_activate(self, request: Request) -> tuple[Response, Any]:
        body = _read(
            await _json_body(request, required=True),
            {
                "type": _is_str,
                "worker": _is_str,
                "timeout": _is_int,
                "maxJobsToActivate": _is_int,
                "fetchVariable": _is_str_list,
                "requestTimeout": _is_int,
                "tenantIds": _is_str_list,
                "tenantFilter": lambda v: v in ("PROVIDED", "ASSIGNED"),
                "withLease": _is_bool,
            },
        )
        # JobRequestValidator.validateJobActivationRequest
        violations = []
        if not str(body.get("type", "")).strip():
            violations.append("No type provided")
        if "timeout" not in body:
            violations.append("No timeout provided")
        elif body["timeout"] < 1:
            violations.append(
                f"The value for timeout is '{body['timeout']}' but must be greater than 0"
            )
        if "maxJobsToActivate" not in body:
            violations.append("No maxJobsToActivate provided")
        elif body["maxJobsToActivate"] < 1:
            violations.append(
                f"The value for maxJobsToActivate is '{body.get('timeout')}' but must be "
                "greater than 0"
            )
        if violations:
            raise Problem(400, "INVALID_ARGUMENT", ". ".join(violations) + ".")
        if body.get("withLease"):
            # Leases are newer than the API this stand-in models: refused, not faked.
            raise Problem(400, "INVALID_ARGUMENT", "Job leases are not supported")
        message = pb.ActivateJobsRequest(
            type=body["type"],
            worker=body.get("worker", ""),
            timeout=body["timeout"],
            maxJobsToActivate=body["maxJobsToActivate"],
            fetchVariable=body.get("fetchVariable", []),
            requestTimeout=body.get("requestTimeout", 0),
            tenantIds=body.get("tenantIds", []),
        )
        collect = asyncio.ensure_future(self._collect_jobs(message, self._context(request)))
        self._long_polls.add(collect)
        try:
            # Long polling: answer when jobs come or the request times out; stop waiting when
            # the client went away or the stand-in stops (then nothing is answered).
            while not collect.done():
                await asyncio.wait({collect}, timeout=0.2)
                if not collect.done() and (self._stopping or await request.is_disconnected()):
                    collect.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await collect
                    return Response(status_code=503), body
            jobs = collect.result()
        finally:
            self._long_polls.discard(collect)
        return JSONResponse({"jobs": jobs}), body

    async def _collect_jobs(self, message: pb.ActivateJobsRequest, context: _Context) -> list[Any]:
        jobs: list[dict[str, Any]] = []
        async for answer in self._servicer.ActivateJobs(message, context):
            jobs.extend(_activated_job(j) for j in answer.jobs)
        return jobs

    async def _complete(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            key = _path_key(request, "jobKey")
            body = _read(
                await _json_body(request, required=False),
                {"variables": _is_nullable_object, "result": _is_object, "jobLeaseToken": _is_str},
            )
            if "result" in body:
                raise _unparsable("result")  # user task / ad-hoc results: not modelled
            await self._gateway_call(
                "CompleteJob",
                pb.CompleteJobRequest(jobKey=key, variables=_variables_text(body)),
                request,
            )
            return Response(status_code=204), body

        return await self._answer(request, handle)

    async def _fail(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            key = _path_key(request, "jobKey")
            body = _read(
                await _json_body(request, required=False),
                {
                    "retries": _is_int,
                    "errorMessage": _is_str,
                    "retryBackOff": _is_int,
                    "variables": _is_nullable_object,
                    "jobLeaseToken": _is_str,
                },
            )
            await self._gateway_call(
                "FailJob",
                pb.FailJobRequest(
                    jobKey=key,
                    retries=body.get("retries", 0),  # jobs.yaml: default 0
                    errorMessage=body.get("errorMessage", ""),
                    retryBackOff=body.get("retryBackOff", 0),
                    variables=_variables_text(body),
                ),
                request,
            )
            return Response(status_code=204), body

        return await self._answer(request, handle)

    async def _throw_error(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            key = _path_key(request, "jobKey")
            body = _read(
                await _json_body(request, required=True),
                {
                    "errorCode": _is_str,
                    "errorMessage": _is_str,
                    "variables": _is_nullable_object,
                    "jobLeaseToken": _is_str,
                },
            )
            if not str(body.get("errorCode", "")).strip():
                raise _missing("errorCode")  # JobRequestValidator.validateJobErrorRequest
            await self._gateway_call(
                "ThrowError",
                pb.ThrowErrorRequest(
                    jobKey=key,
                    errorCode=body["errorCode"],
                    errorMessage=body.get("errorMessage", ""),
                    variables=_variables_text(body),
                ),
                request,
            )
            return Response(status_code=204), body

        return await self._answer(request, handle)

    async def _update_job(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            key = _path_key(request, "jobKey")
            body = _read(
                await _json_body(request, required=True),
                {"changeset": _is_object, "operationReference": _is_int, "jobLeaseToken": _is_str},
            )
            changeset = _read(
                body.get("changeset"),
                {"retries": _is_int, "timeout": _is_int, "priority": _is_int},
                "changeset.",
            )
            if not changeset:  # JobRequestValidator.validateJobUpdateRequest
                raise Problem(
                    400,
                    "INVALID_ARGUMENT",
                    "At least one of [retries, timeout, priority] is required.",
                )
            if "priority" in changeset:
                raise _unparsable("changeset.priority")  # not modelled by the gateway
            context = self._context(request)
            if "timeout" in changeset:
                await self._servicer.UpdateJobTimeout(
                    pb.UpdateJobTimeoutRequest(jobKey=key, timeout=changeset["timeout"]), context
                )
            if "retries" in changeset:
                await self._servicer.UpdateJobRetries(
                    pb.UpdateJobRetriesRequest(jobKey=key, retries=changeset["retries"]), context
                )
            return Response(status_code=204), body

        return await self._answer(request, handle)

    # ----------------------------------------------------------------- element instances, variables

    async def _search_element_instances(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            self._check_auth(request)
            body = await _json_body(request, required=False)
            rows = search_rows.element_instance_rows(self.gateway)
            answer = search_rows.search(
                rows, body, search_rows.ELEMENT_INSTANCE_FILTER, "elementInstanceKey"
            )
            return JSONResponse(answer), body

        return await self._answer(request, handle)

    async def _search_variables(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            self._check_auth(request)
            truncate = request.query_params.get("truncateValues", "true")
            if truncate not in ("true", "false"):
                raise _unparsable("truncateValues")
            body = await _json_body(request, required=False)
            rows = search_rows.variable_rows(
                self.gateway, self._variable_keys, truncate=truncate == "true"
            )
            answer = search_rows.search(rows, body, search_rows.VARIABLE_FILTER, "variableKey")
            return JSONResponse(answer), {"truncateValues": truncate, "body": body}

        return await self._answer(request, handle)

    async def _subscription_statistics(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            self._check_auth(request)
            body = await _json_body(request, required=False)
            answer = search_rows.search(
                search_rows.subscription_statistics_rows(self.gateway),
                body,
                search_rows.SUBSCRIPTION_STATISTICS_FILTER,
                "processDefinitionKey",
                search_rows.STATISTICS_PAGE,
            )
            return JSONResponse(search_rows.statistics_answer(answer)), body

        return await self._answer(request, handle)

    # ----------------------------------------------------------------- process definitions

    async def _search_definitions(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            self._check_auth(request)
            body = _read(
                await _json_body(request, required=False),
                {"filter": _is_object, "sort": lambda v: isinstance(v, list), "page": _is_object},
            )
            return JSONResponse(self._search(body)), body

        return await self._answer(request, handle)

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        filters = _read(
            body.get("filter"),
            {
                "name": lambda v: isinstance(v, str | dict),
                "isLatestVersion": _is_bool,
                "resourceName": _is_str,
                "version": _is_int,
                "versionTag": _is_str,
                "processDefinitionId": lambda v: isinstance(v, str | dict),
                "tenantId": _is_str,
                "processDefinitionKey": _is_key,
                "hasStartForm": _is_bool,
                "state": _is_str,
            },
            "filter.",
        )
        latest_only = bool(filters.get("isLatestVersion"))
        sort = [
            _read(item, {"field": _is_str, "order": _is_str}, "sort.")
            for item in body.get("sort", [])
        ]
        fields = {
            "processDefinitionKey",
            "name",
            "resourceName",
            "version",
            "versionTag",
            "processDefinitionId",
            "tenantId",
        }
        for item in sort:
            if item.get("field") not in fields or item.get("order", "ASC") not in ("ASC", "DESC"):
                raise _unparsable("sort")
            if latest_only and item["field"] not in ("processDefinitionId", "tenantId"):
                raise Problem(
                    400,
                    "INVALID_ARGUMENT",
                    f"Sorting by '{item['field']}' is not supported with isLatestVersion; "
                    "only processDefinitionId and tenantId are allowed.",
                )
        page = _read(
            body.get("page"),
            {"from": _is_int, "limit": _is_int, "after": _is_str, "before": _is_str},
            "page.",
        )
        limit = page.get("limit", DEFAULT_PAGE_LIMIT)
        if limit < 0:
            raise Problem(
                400,
                "INVALID_ARGUMENT",
                f"The value for page.limit is '{limit}' but must be a non-negative number.",
            )
        if not latest_only and "from" in page and ("after" in page or "before" in page):
            raise Problem(
                400,
                "INVALID_ARGUMENT",
                "Both after/before and from cannot be set at the same time.",
            )
        rows = [self._definition_row(d) for d in self._definitions(latest_only)]
        rows = [r for r in rows if _matches(r, filters)]
        for item in reversed(sort or [{"field": "processDefinitionKey"}]):
            rows.sort(
                key=lambda r, f=item["field"]: (r[f] is None, r[f] if r[f] is not None else ""),
                reverse=item.get("order", "ASC") == "DESC",
            )
        start = 0
        if "after" in page:
            start = _cursor_index(page["after"]) + 1
        elif not latest_only and "before" in page:
            start = max(_cursor_index(page["before"]) - limit, 0)
        elif not latest_only:
            start = page.get("from", 0)
        items = rows[start : start + limit]
        return {
            "items": items,
            "page": {
                "totalItems": len(rows),
                "hasMoreTotalItems": False,
                "startCursor": (None if latest_only or not items else _cursor(start, items[0])),
                "endCursor": _cursor(start + len(items) - 1, items[-1]) if items else None,
            },
        }

    def _definitions(self, latest_only: bool) -> list[Any]:
        definitions = list(self.gateway.definitions.values())
        if not latest_only:
            return definitions
        latest: dict[tuple[str, str], Any] = {}
        for d in definitions:
            ident = (getattr(d, "tenant_id", DEFAULT_TENANT), d.bpmn_process_id)
            if ident not in latest or latest[ident].version < d.version:
                latest[ident] = d
        return list(latest.values())

    def _definition_row(self, definition: Any) -> dict[str, Any]:
        return {
            "name": None,
            "resourceName": definition.resource_name,
            "version": definition.version,
            "versionTag": None,
            "processDefinitionId": definition.bpmn_process_id,
            "tenantId": getattr(definition, "tenant_id", DEFAULT_TENANT),
            "processDefinitionKey": str(definition.key),
            "hasStartForm": False,
            "state": "ACTIVE",
        }

    def _known_definition(self, request: Request) -> Any:
        self._check_auth(request)
        key = _path_key(request, "processDefinitionKey")
        definition = self.gateway.definitions.get(key)
        if definition is None:
            raise Problem(404, "NOT_FOUND", f"Process definition with key '{key}' not found")
        return definition

    async def _definition(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            return JSONResponse(self._definition_row(self._known_definition(request))), None

        return await self._answer(request, handle)

    async def _definition_xml(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            definition = self._known_definition(request)
            xml = self._xml_of(definition)
            if xml is None:  # process-definitions.yaml: 204 "found but does not have XML"
                return Response(status_code=204, media_type="text/plain"), None
            return Response(xml, media_type="text/xml"), None

        return await self._answer(request, handle)

    def _xml_of(self, definition: Any) -> bytes | None:
        """The BPMN resource a definition came from: the test gateway numbers versions one
        per deployment containing the process id, so version N is the N-th such resource."""
        seen = 0
        for deployment in self.gateway.deployments:
            for resource in deployment.resources:
                if resource.name != definition.resource_name:
                    continue
                try:
                    ids = {d.bpmn_process_id for d in parse_bpmn(resource.content)}
                except ValueError:
                    continue
                if definition.bpmn_process_id in ids:
                    seen += 1
                    if seen == definition.version:
                        return bytes(resource.content)
        return None

    # ----------------------------------------------------------------- messages

    async def _publish(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            body = _read(await _json_body(request, required=True), _MESSAGE_SCHEMA)
            if not str(body.get("name", "")).strip():
                raise _missing("name")
            answer = await self._gateway_call(
                "PublishMessage", _publish_request(body, body.get("timeToLive", 0)), request
            )
            return (
                JSONResponse(
                    {"messageKey": str(answer.key), "tenantId": answer.tenantId or DEFAULT_TENANT}
                ),
                body,
            )

        return await self._answer(request, handle)

    async def _correlate(self, request: Request) -> Response:
        """Publish with no time to live, then answer with the first instance it reached; none:
        404 as Zeebe's MessageCorrelationCorrelateProcessor (camunda/camunda
        ``zeebe/engine/.../processing/message/MessageCorrelationCorrelateProcessor.java``).
        Subscriptions exist only where the test gateway models them (``correlations``)."""

        async def handle(request: Request) -> tuple[Response, Any]:
            schema = {k: v for k, v in _MESSAGE_SCHEMA.items() if k not in ("timeToLive",)}
            schema.pop("messageId", None)
            body = _read(await _json_body(request, required=True), schema)
            if not str(body.get("name", "")).strip():
                raise _missing("messageName")
            answer = await self._gateway_call("PublishMessage", _publish_request(body, 0), request)
            correlations = getattr(self.gateway, "correlations", [])
            instance = next((c[1] for c in correlations if c[0] == answer.key), None)
            if instance is None:
                raise Problem(
                    404,
                    "NOT_FOUND",
                    "Command 'CORRELATE' rejected with code 'NOT_FOUND': Expected to find "
                    f"subscription for message with name '{body['name']}' and correlation key "
                    f"'{body.get('correlationKey', '')}', but none was found.",
                )
            return (
                JSONResponse(
                    {
                        "messageKey": str(answer.key),
                        "tenantId": answer.tenantId or DEFAULT_TENANT,
                        "processInstanceKey": str(instance),
                    }
                ),
                body,
            )

        return await self._answer(request, handle)

    # ----------------------------------------------------------------- instances, deployments

    async def _create_instance(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            body = _read(
                await _json_body(request, required=True),
                {
                    "processDefinitionKey": _is_key,
                    "processDefinitionId": _is_str,
                    "processDefinitionVersion": _is_int,
                    "variables": _is_nullable_object,
                    "tenantId": _is_str,
                    "operationReference": _is_int,
                    "tags": _is_str_list,
                    "businessId": _is_str,
                    "awaitCompletion": _is_bool,
                    "fetchVariables": _is_str_list,
                    "requestTimeout": _is_int,
                },
            )
            by_key, by_id = "processDefinitionKey" in body, "processDefinitionId" in body
            if by_key == by_id:  # ProcessInstanceRequestValidator
                raise Problem(
                    400,
                    "INVALID_ARGUMENT",
                    (
                        "At least one of [processDefinitionId, processDefinitionKey] is required."
                        if not by_key
                        else "Only one of [processDefinitionId, processDefinitionKey] is allowed."
                    ),
                )
            message = pb.CreateProcessInstanceRequest(
                processDefinitionKey=int(body["processDefinitionKey"]) if by_key else 0,
                bpmnProcessId=body.get("processDefinitionId", ""),
                version=body.get("processDefinitionVersion", -1),
                variables=_variables_text(body),
                tenantId=body.get("tenantId", ""),
            )
            variables: dict[str, Any] = {}
            if body.get("awaitCompletion"):
                answer = await self._gateway_call(
                    "CreateProcessInstanceWithResult",
                    pb.CreateProcessInstanceWithResultRequest(
                        request=message,
                        requestTimeout=body.get("requestTimeout", 0),
                        fetchVariables=body.get("fetchVariables", []),
                    ),
                    request,
                )
                variables = json.loads(answer.variables or "{}")
            else:
                answer = await self._gateway_call("CreateProcessInstance", message, request)
            return (
                JSONResponse(
                    {
                        "processDefinitionId": answer.bpmnProcessId,
                        "processDefinitionVersion": answer.version,
                        "tenantId": answer.tenantId or DEFAULT_TENANT,
                        "variables": variables,
                        "processDefinitionKey": str(answer.processDefinitionKey),
                        "processInstanceKey": str(answer.processInstanceKey),
                        "tags": body.get("tags", []),
                        "businessId": body.get("businessId"),
                    }
                ),
                body,
            )

        return await self._answer(request, handle)

    async def _deploy(self, request: Request) -> Response:
        async def handle(request: Request) -> tuple[Response, Any]:
            if not request.headers.get("content-type", "").startswith("multipart/form-data"):
                raise Problem(415, "Unsupported Media Type", "Content-Type is not supported")
            form = await request.form()
            unknown = [k for k in form if k not in ("resources", "tenantId")]
            if unknown:
                raise _unparsable(unknown[0])
            resources = []
            for part in form.getlist("resources"):
                if not isinstance(part, UploadFile):
                    raise _unparsable("resources")
                resources.append(pb.Resource(name=part.filename or "", content=await part.read()))
            if not resources:
                raise _missing("resources")
            tenant = form.get("tenantId")
            message = pb.DeployResourceRequest(
                resources=resources, tenantId=tenant if isinstance(tenant, str) else ""
            )
            answer = await self._gateway_call("DeployResource", message, request)
            deployments = [
                {
                    "processDefinition": {
                        "processDefinitionId": d.process.bpmnProcessId,
                        "processDefinitionVersion": d.process.version,
                        "resourceName": d.process.resourceName,
                        "tenantId": d.process.tenantId or DEFAULT_TENANT,
                        "processDefinitionKey": str(d.process.processDefinitionKey),
                    },
                    "decisionDefinition": None,
                    "decisionRequirements": None,
                    "form": None,
                    "resource": None,
                }
                for d in answer.deployments
            ]
            return (
                JSONResponse(
                    {
                        "deploymentKey": str(answer.key),
                        "tenantId": answer.tenantId or DEFAULT_TENANT,
                        "deployments": deployments,
                    }
                ),
                {"resources": [r.name for r in resources]},
            )

        return await self._answer(request, handle)


_MESSAGE_SCHEMA: dict[str, Check] = {
    "name": _is_str,
    "correlationKey": _is_str,
    "timeToLive": _is_int,
    "messageId": _is_str,
    "variables": _is_nullable_object,
    "tenantId": _is_str,
    "businessId": _is_str,
}


def _publish_request(body: dict[str, Any], ttl: int) -> pb.PublishMessageRequest:
    return pb.PublishMessageRequest(
        name=body["name"],
        correlationKey=body.get("correlationKey", ""),
        timeToLive=ttl,
        messageId=body.get("messageId", ""),
        variables=_variables_text(body),
        tenantId=body.get("tenantId", ""),
    )


def _variables_text(body: dict[str, Any]) -> str:
    variables = body.get("variables")
    return json.dumps(variables) if variables else ""


def _activated_job(job: pb.ActivatedJob) -> dict[str, Any]:
    """An ActivatedJobResult (jobs.yaml) with the fields the SDK 10.x requires."""
    return {
        "type": job.type,
        "processDefinitionId": job.bpmnProcessId,
        "processDefinitionVersion": job.processDefinitionVersion,
        "elementId": job.elementId,
        "customHeaders": json.loads(job.customHeaders or "{}"),
        "worker": job.worker,
        "retries": job.retries,
        "deadline": job.deadline,
        "variables": json.loads(job.variables or "{}"),
        "tenantId": job.tenantId or DEFAULT_TENANT,
        "physicalTenantId": PHYSICAL_TENANT,
        "jobKey": str(job.key),
        "processInstanceKey": str(job.processInstanceKey),
        "processDefinitionKey": str(job.processDefinitionKey),
        "elementInstanceKey": str(job.elementInstanceKey),
        "kind": "BPMN_ELEMENT",
        "listenerEventType": "UNSPECIFIED",
        "userTask": None,
        "tags": [],
        # The gateway has no call activities: every instance is its own root.
        "rootProcessInstanceKey": str(job.processInstanceKey),
        "businessId": None,
        "priority": 0,
        "jobLeaseToken": None,
    }


def _matches(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    for name, wanted in filters.items():
        if name == "isLatestVersion":
            continue
        value = row.get(name)
        if isinstance(wanted, dict):
            if "$eq" in wanted and value != wanted["$eq"]:
                return False
            if "$in" in wanted and value not in wanted["$in"]:
                return False
            if "$neq" in wanted and value == wanted["$neq"]:
                return False
        elif value != wanted:
            return False
    return True


def _cursor(index: int, row: dict[str, Any]) -> str:
    return search_rows.cursor(index, row["processDefinitionKey"])


def _cursor_index(cursor: str) -> int:
    return search_rows.cursor_index(cursor)


# --------------------------------------------------------------------- separate process


async def _serve(args: argparse.Namespace) -> None:
    gw = TestGateway(host=args.host, record_calls=False)
    await gw.start()
    rest = CamundaRestStandIn(gw, host=args.host, port=args.port, record_calls=False)
    await rest.start()
    seeded = [
        gw.add_job(
            args.type,
            variables=json.loads(args.variables),
            headers=json.loads(args.headers),
            retries=args.retries,
        )
        for _ in range(args.jobs)
    ]
    print(f"LISTENING {rest.address}", flush=True)
    cpu = time.process_time()
    try:
        if args.report:
            await gw.wait_for(lambda: gw.finished_count >= len(seeded), timeout=args.max_seconds)
            stats = job_statistics(seeded)
            stats["gateway_cpu_us_per_job"] = round(
                (time.process_time() - cpu) / max(len(seeded), 1) * 1e6, 1
            )
            print(json.dumps(stats), flush=True)
        else:
            await asyncio.Event().wait()
    finally:
        await rest.stop()
        await gw.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.camunda_rest", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--jobs", type=int, default=0, help="jobs to seed")
    parser.add_argument("--type", default="noop", help="job type of the seeded jobs")
    parser.add_argument("--variables", default="{}", help="JSON object: each job's variables")
    parser.add_argument("--headers", default="{}", help="JSON object: each job's custom headers")
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except GatewayTimeout as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
