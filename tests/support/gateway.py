"""An in-memory Zeebe gateway for tests and benchmarks.

A ``grpc.aio`` server implementing the Zeebe ``gateway_protocol.Gateway`` service with
pyzeebe's generated stubs, so the worker under test is the real pyzeebe client talking
real gRPC over loopback. Jobs live in memory; every command is recorded; faults can be
injected.

In-process use (inside a running event loop)::

    async with TestGateway() as gw:
        job = gw.add_job("switchboard:echo:1", variables={"a": 1})
        ...  # point a worker at gw.address
        await gw.wait_for(lambda: job.state == "completed", timeout=5)

As a separate process (prints ``LISTENING host:port``, and with ``--report`` one JSON
line of statistics once every seeded job reached a final state, then exits)::

    python -m tests.support.gateway --port 0 --jobs 20000 --type noop --report
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import itertools
import json
import re
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from tests.support.bpmn import ProcessDefinition, apply_inputs, evaluate_key, parse_bpmn

T = TypeVar("T")

ACTIVATABLE = "activatable"
ACTIVATED = "activated"
FAILED = "failed"  # failed with retries left and a backoff: activatable once it ends
COMPLETED = "completed"
INCIDENT = "incident"  # failed with no retries left
ERROR_THROWN = "error_thrown"
CANCELED = "canceled"  # its task was left through an interrupting message boundary event
FINAL_STATES = frozenset({COMPLETED, INCIDENT, ERROR_THROWN, CANCELED})
# Zeebe's job processors accept Complete/Fail/ThrowError for these states only
# (camunda/camunda zeebe/engine/.../processing/job/JobCompleteProcessor.java, JobFailProcessor,
# JobThrowErrorProcessor: JobCommandPreconditionChecker with ACTIVATABLE and ACTIVATED); any
# other state is INVALID_STATE, which the gateway answers FAILED_PRECONDITION
# (zeebe/gateway-grpc/.../grpc/GrpcErrorMapper.java). A completed job is gone: NOT_FOUND.
ANSWERABLE = frozenset({ACTIVATABLE, ACTIVATED})
_ZEEBE_STATE_NAMES = {
    ACTIVATABLE: "ACTIVATABLE",
    ACTIVATED: "ACTIVATED",
    FAILED: "FAILED",
    INCIDENT: "FAILED",
    ERROR_THROWN: "ERROR_THROWN",
    CANCELED: "CANCELED",
}

DEFAULT_TENANT = "<default>"
_TENANT_ID = re.compile(r"^[\w.-]{1,31}$")
STREAM_BUFFER = 32  # jobs a stream holds before the gateway counts it as not ready


@dataclass
class Failure:
    """One FailJob received for a job."""

    retries: int
    message: str
    backoff_ms: int
    variables: dict[str, Any]


@dataclass
class GatewayJob:
    """A job held by the gateway; tests read its fields to assert what the worker did."""

    key: int
    type: str
    variables: dict[str, Any]
    custom_headers: dict[str, str]
    retries: int
    process_instance_key: int
    bpmn_process_id: str
    process_definition_key: int
    process_definition_version: int
    element_id: str
    element_instance_key: int
    tenant_id: str = DEFAULT_TENANT
    state: str = ACTIVATABLE
    worker: str = ""
    deadline_ms: int = 0  # epoch milliseconds of the current activation's deadline
    activations: int = 0
    timeouts: int = 0  # how often an activation expired and the job became activatable
    created_at: float = field(default_factory=time.monotonic)
    activated_at: float | None = None  # monotonic, latest activation
    finished_at: float | None = None  # monotonic, when a final state was reached
    available_at: float = 0.0  # monotonic; a failed job's backoff ends here
    completed_variables: dict[str, Any] | None = None
    failures: list[Failure] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    error_variables: dict[str, Any] | None = None
    error_caught: bool = False  # a boundary event caught the thrown error: the job is gone
    pushed: int = 0  # how often it was pushed on a job stream
    yielded: int = 0  # how often a push failed and the job went back to polling
    timeout_updates: list[int] = field(default_factory=list)
    _deadline: float = 0.0  # monotonic deadline of the current activation
    _deadline_version: int = 0


@dataclass
class Incident:
    """A job that failed with no retries left."""

    job_key: int
    message: str


@dataclass
class Call:
    """One received gRPC call, recorded before it is processed."""

    method: str
    request: Message
    metadata: dict[str, str]
    at: float
    code: grpc.StatusCode | None = None  # None while the call is running
    job_keys: list[int] = field(default_factory=list)  # ActivateJobs: the jobs it returned


@dataclass
class ProcessInstance:
    """A process instance created from a deployed BPMN process."""

    key: int
    definition: ProcessDefinition
    variables: dict[str, Any]
    state: str = "active"  # active | completed | incident
    current_element: str | None = None
    visited: list[str] = field(default_factory=list)
    correlation_key: str | None = None  # started by a message with this key
    job_key: int | None = None  # the job the instance waits on
    element_instance_key: int | None = None  # the token at current_element
    started_at: float = field(default_factory=time.time)


@dataclass
class Subscription:
    """A waiting instance's message subscription (catch event, receive task, boundary)."""

    instance_key: int
    element_id: str  # the catch element (or the boundary event)
    name: str
    correlation_key: str
    tenant_id: str = DEFAULT_TENANT
    boundary_of: str | None = None  # the task a boundary event is attached to


@dataclass
class BufferedMessage:
    """A published message, kept until its time to live ends (Zeebe's message buffer)."""

    key: int
    name: str
    correlation_key: str
    message_id: str
    tenant_id: str
    variables: dict[str, Any]
    deadline: float  # monotonic
    correlated: set[str] = field(default_factory=set)  # BPMN process ids it reached


@dataclass
class _Fault:
    method: str
    code: grpc.StatusCode
    remaining: int
    details: str


@dataclass
class JobStream:
    """One open StreamActivatedJobs call (what Zeebe's broker calls a job stream)."""

    request: pb.StreamActivatedJobsRequest
    tenants: frozenset[str]
    queue: asyncio.Queue[pb.ActivatedJob]
    pushed: int = 0

    @property
    def ready(self) -> bool:
        """False while the client does not read: Zeebe's ``responseObserver.isReady()``."""
        return not self.queue.full()


class GatewayTimeout(AssertionError):
    """``wait_for`` ran out of time; the message says what was awaited."""


class TestGateway:
    """The in-memory Zeebe gateway; see the module docstring."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[bytes, bytes] | None = None,
        required_token: str | None = None,
        default_request_timeout_ms: int = 10_000,
        record_calls: bool = True,
        multi_tenancy: bool = False,
        stream_buffer: int = STREAM_BUFFER,
    ) -> None:
        """``tls`` is (private key PEM, certificate chain PEM); ``required_token`` makes every
        call without ``authorization: Bearer <token>`` fail with UNAUTHENTICATED.
        ``multi_tenancy`` False (Zeebe's default) refuses every tenant but ``<default>``;
        ``stream_buffer`` is how many pushed jobs a stream holds while its client does not
        read before further pushes fail and the jobs are yielded back to polling."""
        self.host = host
        self.port = port
        self.tls = tls
        self.required_token = required_token
        self.default_request_timeout_ms = default_request_timeout_ms
        self.record_calls = record_calls
        self.multi_tenancy = multi_tenancy
        self.stream_buffer = stream_buffer
        self.streams: dict[str, list[JobStream]] = {}
        # Seconds a method takes before it is answered (an engine under load), by method name.
        self.latency: dict[str, float] = {}
        self.on_finished: Callable[[GatewayJob], None] | None = None
        self.jobs: dict[int, GatewayJob] = {}
        self.calls: list[Call] = []
        self.incidents: list[Incident] = []
        self.messages: list[pb.PublishMessageRequest] = []
        self.deployments: list[pb.DeployResourceRequest] = []
        self.processes: dict[str, ProcessDefinition] = {}  # latest version per process id
        self.definitions: dict[int, ProcessDefinition] = {}  # every version, by key
        self.instances: dict[int, ProcessInstance] = {}
        self.subscriptions: list[Subscription] = []
        self.buffered: list[BufferedMessage] = []
        self.correlations: list[tuple[int, int, str]] = []  # (message key, instance, element)
        self.finished_count = 0  # jobs that reached a final state
        self._keys = itertools.count(2251799813685249)
        self._seq = itertools.count()
        self._ready: dict[str, deque[int]] = {}
        self._delayed: list[tuple[float, int, int]] = []
        self._deadlines: list[tuple[float, int, int, int]] = []
        self._faults: list[_Fault] = []
        self._stream_turn = itertools.count()
        self._changed = asyncio.Event()
        self._server: grpc.aio.Server | None = None
        self.running = False

    # ----------------------------------------------------------------- lifecycle

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> TestGateway:
        """Listen on ``host:port`` (a free port the first time when port is 0)."""
        server = grpc.aio.server()
        pb_grpc.add_GatewayServicer_to_server(_Servicer(self), server)
        target = f"{self.host}:{self.port}"
        if self.tls is not None:
            creds = grpc.ssl_server_credentials([self.tls])
            self.port = server.add_secure_port(target, creds)
        else:
            self.port = server.add_insecure_port(target)
        await server.start()
        self._server = server
        self.running = True
        self._notify()
        return self

    async def stop(self, grace: float | None = None) -> None:
        """Stop listening; running calls are cancelled. Jobs stay in memory."""
        if self._server is not None:
            server, self._server = self._server, None
            self.running = False
            await server.stop(grace)
        self._notify()

    async def restart(self) -> None:
        """Stop, then listen again on the same port."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> TestGateway:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- test API

    def add_job(
        self,
        type: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        *,
        retries: int = 3,
        process_instance_key: int | None = None,
        bpmn_process_id: str = "test-process",
        process_definition_key: int = 2251799813685001,
        process_definition_version: int = 1,
        element_id: str = "task",
        tenant_id: str = DEFAULT_TENANT,
    ) -> GatewayJob:
        """Create an activatable job and wake waiting ActivateJobs calls."""
        key = next(self._keys)
        job = GatewayJob(
            key=key,
            type=type,
            variables=dict(variables or {}),
            custom_headers={k: str(v) for k, v in (headers or {}).items()},
            retries=retries,
            process_instance_key=process_instance_key or next(self._keys),
            bpmn_process_id=bpmn_process_id,
            process_definition_key=process_definition_key,
            process_definition_version=process_definition_version,
            element_id=element_id,
            element_instance_key=next(self._keys),
            tenant_id=tenant_id,
        )
        self.jobs[key] = job
        self._offer_job(job)
        return job

    def add_jobs(self, type: str, count: int, **kwargs: Any) -> list[GatewayJob]:
        return [self.add_job(type, **kwargs) for _ in range(count)]

    def job(self, key: int) -> GatewayJob:
        return self.jobs[key]

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one RPC method (e.g. ``"CompleteJob"``), oldest first."""
        return [c for c in self.calls if c.method == method]

    def active_count(self, type: str | None = None) -> int:
        """Jobs currently activated (handed to a worker and not yet answered)."""
        return sum(
            1
            for j in self.jobs.values()
            if j.state == ACTIVATED and (type is None or j.type == type)
        )

    def inject(
        self,
        method: str,
        code: grpc.StatusCode,
        count: int = 1,
        details: str = "injected fault",
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any method) fail with ``code``."""
        self._faults.append(_Fault(method, code, count, details))

    def clear_faults(self) -> None:
        self._faults.clear()

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str | None = None,
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every gateway change) and
        return its value; raise :class:`GatewayTimeout` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self._reclaim_expired()
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GatewayTimeout(f"timed out after {timeout}s waiting for {what or predicate}")
            event = self._changed
            wake = min(remaining, self._next_timer_in(), 0.5)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(wake, 0.001)):
                    await event.wait()

    async def wait_for_state(
        self,
        job: GatewayJob | int,
        *states: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> GatewayJob:
        """Wait until a job is in one of ``states``; returns the job."""
        key = job if isinstance(job, int) else job.key
        target = self.jobs[key]
        return await self.wait_for(
            lambda: target if target.state in states else None,
            timeout,
            what=f"job {key} to reach {states} (now {target.state})",
        )

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until at least ``count`` finished calls of ``method`` were recorded."""
        return await self.wait_for(
            lambda: (
                done if len(done := [c for c in self.calls_to(method) if c.code]) >= count else None
            ),
            timeout,
            what=f"{count} finished {method} call(s)",
        )

    # ----------------------------------------------------------------- internals

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _next_timer_in(self) -> float:
        now = time.monotonic()
        times = []
        if self._delayed:
            times.append(self._delayed[0][0])
        if self._deadlines:
            times.append(self._deadlines[0][0])
        return max(min(times) - now, 0.0) if times else 3600.0

    def _reclaim_expired(self) -> None:
        now = time.monotonic()
        changed = False
        while self._delayed and self._delayed[0][0] <= now:
            _, _, key = heapq.heappop(self._delayed)
            job = self.jobs.get(key)
            if job is not None and job.state == FAILED:
                job.state = ACTIVATABLE
                self._offer_job(job)
                changed = True
        while self._deadlines and self._deadlines[0][0] <= now:
            _, _, key, version = heapq.heappop(self._deadlines)
            job = self.jobs.get(key)
            if job is not None and job.state == ACTIVATED and job._deadline_version == version:
                job.state = ACTIVATABLE
                job.timeouts += 1
                self._offer_job(job)
                changed = True
        if changed:
            self._notify()

    def _take(self, request: pb.ActivateJobsRequest) -> list[GatewayJob]:
        self._reclaim_expired()
        ready = self._ready.get(request.type)
        taken: list[GatewayJob] = []
        if not ready:
            return taken
        tenants = set(request.tenantIds) or {DEFAULT_TENANT}
        skipped: list[int] = []
        now = time.monotonic()
        while ready and len(taken) < request.maxJobsToActivate:
            key = ready.popleft()
            job = self.jobs.get(key)
            if job is None or job.state != ACTIVATABLE or job.available_at > now:
                continue  # stale entry
            if job.tenant_id not in tenants:
                skipped.append(key)
                continue
            self._activate_job(job, request.worker, request.timeout)
            taken.append(job)
        ready.extendleft(reversed(skipped))
        return taken

    def _offer_job(self, job: GatewayJob) -> None:
        """A job became activatable: push it on an open stream of its type, else leave it to
        polling. As Zeebe's ``BpmnJobActivationBehavior.publishWork``: the job is activated for
        the stream and pushed; a push the stream cannot take (``StreamJobsHandler``: the
        client's stream is not ready) yields the job back to activatable
        (``JobYieldProcessor``), where ActivateJobs finds it. Jobs that were activatable before
        a stream opened are never pushed to it: polling picks them up."""
        for stream in self._streams_for(job):
            if not stream.ready:
                continue
            self._activate_job(job, stream.request.worker, stream.request.timeout)
            job.pushed += 1
            stream.pushed += 1
            stream.queue.put_nowait(self._activated(job, stream.request.fetchVariable))
            self._notify()
            return
        if self.streams.get(job.type):
            job.yielded += 1  # every matching stream was blocked
        self._ready.setdefault(job.type, deque()).append(job.key)
        self._notify()

    def _streams_for(self, job: GatewayJob) -> list[JobStream]:
        streams = [s for s in self.streams.get(job.type, ()) if job.tenant_id in s.tenants]
        if len(streams) > 1:  # spread pushes over the streams, as Zeebe picks one at random
            turn = next(self._stream_turn) % len(streams)
            streams = streams[turn:] + streams[:turn]
        return streams

    def _activate_job(self, job: GatewayJob, worker: str, timeout_ms: int) -> None:
        job.state = ACTIVATED
        job.worker = worker
        job.activations += 1
        job.activated_at = time.monotonic()
        self._set_deadline(job, timeout_ms)

    def _set_deadline(self, job: GatewayJob, timeout_ms: int) -> None:
        job._deadline = time.monotonic() + timeout_ms / 1000
        job._deadline_version += 1
        job.deadline_ms = int(time.time() * 1000) + timeout_ms
        heapq.heappush(
            self._deadlines, (job._deadline, next(self._seq), job.key, job._deadline_version)
        )

    def _activated(self, job: GatewayJob, fetch: Iterable[str]) -> pb.ActivatedJob:
        names = list(fetch)
        variables = job.variables
        if names:
            variables = {n: variables[n] for n in names if n in variables}
        return pb.ActivatedJob(
            key=job.key,
            type=job.type,
            processInstanceKey=job.process_instance_key,
            bpmnProcessId=job.bpmn_process_id,
            processDefinitionVersion=job.process_definition_version,
            processDefinitionKey=job.process_definition_key,
            elementId=job.element_id,
            elementInstanceKey=job.element_instance_key,
            customHeaders=json.dumps(job.custom_headers),
            worker=job.worker,
            retries=job.retries,
            deadline=job.deadline_ms,
            variables=json.dumps(variables),
            tenantId=job.tenant_id,
        )

    def _finish(self, job: GatewayJob, state: str) -> None:
        job.state = state
        job.finished_at = time.monotonic()
        self.finished_count += 1
        if self.on_finished is not None:
            self.on_finished(job)
        self._notify()

    # ---- process simulation: linear walk along the first outgoing sequence flow

    def _deploy(self, request: pb.DeployResourceRequest) -> pb.DeployResourceResponse:
        deployments = []
        for resource in request.resources:
            if not resource.name.endswith(".bpmn"):
                continue
            for definition in parse_bpmn(resource.content):
                previous = self.processes.get(definition.bpmn_process_id)
                definition.version = previous.version + 1 if previous else 1
                definition.key = next(self._keys)
                definition.resource_name = resource.name
                definition.tenant_id = request.tenantId or DEFAULT_TENANT
                self.processes[definition.bpmn_process_id] = definition
                self.definitions[definition.key] = definition
                deployments.append(
                    pb.Deployment(
                        process=pb.ProcessMetadata(
                            bpmnProcessId=definition.bpmn_process_id,
                            version=definition.version,
                            processDefinitionKey=definition.key,
                            resourceName=resource.name,
                            tenantId=request.tenantId or DEFAULT_TENANT,
                        )
                    )
                )
        return pb.DeployResourceResponse(
            key=next(self._keys),
            deployments=deployments,
            tenantId=request.tenantId or DEFAULT_TENANT,
        )

    def _create_instance(
        self,
        definition: ProcessDefinition,
        variables: dict[str, Any],
        start: str | None = None,
        correlation_key: str | None = None,
    ) -> int:
        instance = ProcessInstance(next(self._keys), definition, dict(variables))
        instance.correlation_key = correlation_key
        self.instances[instance.key] = instance
        self._advance(instance, start or definition.start_element)
        return instance.key

    def _advance(self, instance: ProcessInstance, element_id: str | None) -> None:
        definition = instance.definition
        seen = 0
        while element_id is not None and seen < 1000:
            seen += 1
            element = definition.elements[element_id]
            instance.visited.append(element_id)
            if element.kind == "serviceTask" and element.job_type:
                instance.current_element = element_id
                instance.element_instance_key = next(self._keys)
                job = self.add_job(
                    element.job_type,
                    variables=apply_inputs(element, instance.variables),
                    headers=element.headers,
                    retries=element.retries,
                    process_instance_key=instance.key,
                    bpmn_process_id=definition.bpmn_process_id,
                    process_definition_key=definition.key,
                    process_definition_version=definition.version,
                    element_id=element_id,
                )
                instance.job_key = job.key
                for boundary in definition.message_boundaries(element_id):
                    self._subscribe(
                        instance,
                        boundary.id,
                        boundary.message_name or "",
                        boundary.correlation_key,
                        boundary_of=element_id,
                    )
                return
            if element.message_name and element.kind in ("intermediateCatchEvent", "receiveTask"):
                instance.current_element = element_id
                instance.element_instance_key = next(self._keys)
                self._subscribe(instance, element_id, element.message_name, element.correlation_key)
                return
            element_id = element.next
        instance.current_element = None
        instance.element_instance_key = None
        instance.state = "completed"
        self._notify()

    # ---- messages, as Zeebe's MessagePublishProcessor / MessageCorrelateBehavior

    def _subscribe(
        self,
        instance: ProcessInstance,
        element_id: str,
        name: str,
        key_expression: str | None,
        boundary_of: str | None = None,
    ) -> None:
        key = evaluate_key(key_expression, instance.variables)
        if key is None:
            instance.state = "incident"  # Zeebe: failed to extract the correlation key
            self.incidents.append(
                Incident(
                    0,
                    f"Failed to extract the correlation key for "
                    f"'{key_expression}' of element '{element_id}'",
                )
            )
            self._notify()
            return
        subscription = Subscription(
            instance.key, element_id, name, key, instance.definition.tenant_id, boundary_of
        )
        now = time.monotonic()
        for message in self.buffered:
            if (
                message.deadline > now
                and (message.name, message.correlation_key, message.tenant_id)
                == (name, key, subscription.tenant_id)
                and instance.definition.bpmn_process_id not in message.correlated
            ):
                self.subscriptions.append(subscription)
                self._correlate(message, subscription)
                return
        self.subscriptions.append(subscription)
        self._notify()

    def _publish_message(self, request: pb.PublishMessageRequest) -> int:
        key = next(self._keys)
        tenant = request.tenantId or DEFAULT_TENANT
        variables = json.loads(request.variables) if request.variables else {}
        message = BufferedMessage(
            key,
            request.name,
            request.correlationKey,
            request.messageId,
            tenant,
            variables,
            time.monotonic() + request.timeToLive / 1000,
        )
        # Waiting subscriptions first, at most one instance per BPMN process id...
        for subscription in list(self.subscriptions):
            instance = self.instances.get(subscription.instance_key)
            if instance is None or subscription not in self.subscriptions:
                continue
            if (subscription.name, subscription.correlation_key, subscription.tenant_id) != (
                message.name,
                message.correlation_key,
                tenant,
            ):
                continue
            if instance.definition.bpmn_process_id in message.correlated:
                continue
            self._correlate(message, subscription)
        # ...then message start events of the latest version of every process.
        for definition in list(self.processes.values()):
            start = definition.message_starts.get(message.name)
            if start is None or definition.tenant_id != tenant:
                continue
            if definition.bpmn_process_id in message.correlated:
                continue
            if message.correlation_key and any(
                i.state == "active"
                and i.definition.bpmn_process_id == definition.bpmn_process_id
                and i.correlation_key == message.correlation_key
                for i in self.instances.values()
            ):
                continue  # one active instance per correlation key, as Zeebe
            message.correlated.add(definition.bpmn_process_id)
            instance_key = self._create_instance(
                definition, dict(variables), start, message.correlation_key or None
            )
            self.correlations.append((key, instance_key, start))
        if request.timeToLive > 0:
            self.buffered.append(message)
        self._notify()
        return key

    def _correlate(self, message: BufferedMessage, subscription: Subscription) -> None:
        instance = self.instances[subscription.instance_key]
        message.correlated.add(instance.definition.bpmn_process_id)
        self.correlations.append((message.key, instance.key, subscription.element_id))
        self.subscriptions = [s for s in self.subscriptions if s.instance_key != instance.key]
        instance.variables.update(message.variables)
        element = instance.definition.elements[subscription.element_id]
        if subscription.boundary_of is not None:
            job = self.jobs.get(instance.job_key or 0)
            if job is not None and job.state not in FINAL_STATES:
                self._finish(job, CANCELED)
            instance.job_key = None
        self._advance(instance, element.next)

    def buffered_ids(self) -> list[str]:
        """Message ids of the messages still buffered (not expired)."""
        now = time.monotonic()
        return [m.message_id for m in self.buffered if m.deadline > now]

    def _job_done(self, job: GatewayJob, variables: dict[str, Any]) -> None:
        instance = self.instances.get(job.process_instance_key)
        if instance is None:
            return
        instance.job_key = None
        self.subscriptions = [s for s in self.subscriptions if s.instance_key != instance.key]
        instance.variables.update(variables)
        self._advance(instance, instance.definition.elements[job.element_id].next)

    def _job_error(self, job: GatewayJob, code: str, variables: dict[str, Any]) -> None:
        instance = self.instances.get(job.process_instance_key)
        if instance is None:
            return
        instance.variables.update(variables)
        target = instance.definition.error_boundary(job.element_id, code)
        if target is None:
            instance.state = "incident"
            self._notify()
        else:
            job.error_caught = True
            self._advance(instance, target)


class _Servicer(pb_grpc.GatewayServicer):
    def __init__(self, gw: TestGateway) -> None:
        self.gw = gw

    async def _enter(
        self, method: str, request: Message, context: grpc.aio.ServicerContext
    ) -> Call:
        gw = self.gw
        metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        call = Call(method, request, metadata, time.monotonic())
        if gw.record_calls:
            gw.calls.append(call)
        if gw.latency.get(method):
            await asyncio.sleep(gw.latency[method])
        for fault in gw._faults:
            if fault.remaining > 0 and fault.method in (method, "*"):
                fault.remaining -= 1
                call.code = fault.code
                gw._notify()
                await context.abort(fault.code, fault.details)
        if gw.required_token is not None:
            if metadata.get("authorization") != f"Bearer {gw.required_token}":
                call.code = grpc.StatusCode.UNAUTHENTICATED
                gw._notify()
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong token")
        return call

    async def _reject(
        self, call: Call, context: grpc.aio.ServicerContext, code: grpc.StatusCode, details: str
    ) -> None:
        call.code = code
        self.gw._notify()
        await context.abort(code, details)

    def _ok(self, call: Call) -> None:
        call.code = grpc.StatusCode.OK
        self.gw._notify()

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        gw = self.gw
        call = await self._enter("ActivateJobs", request, context)
        if not request.type:
            await self._reject(call, context, grpc.StatusCode.INVALID_ARGUMENT, "type is empty")
        if request.maxJobsToActivate < 1:
            await self._reject(
                call,
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Expected to activate at least 1 job, but requested {request.maxJobsToActivate}",
            )
        if request.timeout < 1:
            await self._reject(
                call,
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Expected job timeout to be greater than zero, but was {request.timeout}",
            )
        await self._check_tenants(call, context, "ActivateJobs", request.tenantIds)
        wait_ms = request.requestTimeout or gw.default_request_timeout_ms
        deadline = time.monotonic() + max(wait_ms, 0) / 1000
        while True:
            event = gw._changed
            jobs = gw._take(request)
            if jobs:
                call.job_keys = [j.key for j in jobs]
                call.code = grpc.StatusCode.OK
                gw._notify()
                yield pb.ActivateJobsResponse(
                    jobs=[gw._activated(j, request.fetchVariable) for j in jobs]
                )
                return
            remaining = deadline - time.monotonic()
            if request.requestTimeout < 0 or remaining <= 0:
                self._ok(call)
                return
            try:
                async with asyncio.timeout(min(remaining, gw._next_timer_in() + 0.001)):
                    await event.wait()
            except TimeoutError:
                pass
            except asyncio.CancelledError:  # the client went away (or the server stops)
                call.code = grpc.StatusCode.CANCELLED
                gw._notify()
                raise

    async def _check_tenants(
        self,
        call: Call,
        context: grpc.aio.ServicerContext,
        method: str,
        tenant_ids: Iterable[str],
    ) -> None:
        """As Zeebe's gateway (camunda/camunda ``zeebe/gateway/.../gateway/cmd/
        InvalidTenantRequestException.java``): with multi-tenancy off only ``<default>`` may be
        named; with it on, each id must be a valid tenant id."""
        ids = list(tenant_ids)
        if not self.gw.multi_tenancy:
            if any(t != DEFAULT_TENANT for t in ids):
                await self._reject(
                    call,
                    context,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"Expected to handle gRPC request {method} with tenant identifiers "
                    f"'[{', '.join(ids)}]', but multi-tenancy is disabled",
                )
            return
        for tenant in ids:
            if tenant != DEFAULT_TENANT and not _TENANT_ID.match(tenant):
                await self._reject(
                    call,
                    context,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"Expected to handle gRPC request {method} with tenant identifier "
                    f"'{tenant}', but tenant identifier contains illegal characters or is "
                    "longer than 31 characters",
                )

    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ActivatedJob]:
        """Registers a job stream; jobs that become activatable from now on are pushed to it
        (see ``TestGateway._offer_job``). Validation as Zeebe's ``StreamJobsHandler``."""
        gw = self.gw
        call = await self._enter("StreamActivatedJobs", request, context)
        for field_name, bad, expected, actual in (
            ("type", not request.type.strip(), "present", "blank"),
            ("timeout", request.timeout < 1, "greater than zero", str(request.timeout)),
        ):
            if bad:
                await self._reject(
                    call,
                    context,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"Expected to stream activated jobs with {field_name} to be {expected}, "
                    f"but it was {actual}",
                )
        await self._check_tenants(call, context, "StreamActivatedJobs", request.tenantIds)
        stream = JobStream(
            request,
            frozenset(request.tenantIds) or frozenset({DEFAULT_TENANT}),
            asyncio.Queue(maxsize=max(gw.stream_buffer, 1)),
        )
        gw.streams.setdefault(request.type, []).append(stream)
        call.code = grpc.StatusCode.OK  # open: counted as answered for wait_for_calls
        gw._notify()
        try:
            while True:
                job = await stream.queue.get()
                call.job_keys.append(job.key)
                yield job
        finally:
            gw.streams[request.type].remove(stream)
            # Pushed jobs the client never read stay activated until their timeout, as in
            # Zeebe (the push succeeded from the broker's point of view).
            call.code = grpc.StatusCode.CANCELLED
            gw._notify()

    async def _job_for(
        self, call: Call, context: grpc.aio.ServicerContext, key: int, intent: str
    ) -> GatewayJob:
        """The job a command names, with Zeebe's precondition check (``ANSWERABLE``)."""
        job = self.gw.jobs.get(key)
        if job is None or job.state == COMPLETED or job.error_caught:
            await self._reject(
                call,
                context,
                grpc.StatusCode.NOT_FOUND,
                f"Command '{intent}' rejected with code 'NOT_FOUND': Expected to {intent} "
                f"job with key '{key}', but no such job was found",
            )
        assert job is not None
        allowed = (ACTIVATED,) if intent == "update the timeout of" else ANSWERABLE
        if job.state not in allowed:
            await self._reject(
                call,
                context,
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Command '{intent}' rejected with code 'INVALID_STATE': Expected to {intent} "
                f"job with key '{key}', but it is in state "
                f"'{_ZEEBE_STATE_NAMES.get(job.state, job.state.upper())}'",
            )
        return job

    async def _variables(
        self, call: Call, context: grpc.aio.ServicerContext, text: str
    ) -> dict[str, Any]:
        if not text:
            return {}
        try:
            # NaN/Infinity are not JSON: Zeebe's JSON-to-MessagePack conversion refuses them.
            value = json.loads(text, parse_constant=_refuse_constant)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            await self._reject(
                call,
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "Expected to deserialize variables as a JSON document (object)",
            )
        assert isinstance(value, dict)
        return value

    async def CompleteJob(
        self, request: pb.CompleteJobRequest, context: grpc.aio.ServicerContext
    ) -> pb.CompleteJobResponse:
        call = await self._enter("CompleteJob", request, context)
        job = await self._job_for(call, context, request.jobKey, "complete")
        variables = await self._variables(call, context, request.variables)
        job.completed_variables = variables
        self.gw._finish(job, COMPLETED)
        self.gw._job_done(job, variables)
        self._ok(call)
        return pb.CompleteJobResponse()

    async def FailJob(
        self, request: pb.FailJobRequest, context: grpc.aio.ServicerContext
    ) -> pb.FailJobResponse:
        gw = self.gw
        call = await self._enter("FailJob", request, context)
        job = await self._job_for(call, context, request.jobKey, "fail")
        variables = await self._variables(call, context, request.variables)
        job.failures.append(
            Failure(request.retries, request.errorMessage, request.retryBackOff, variables)
        )
        job.retries = request.retries
        job.variables.update(variables)
        if request.retries <= 0:
            gw.incidents.append(Incident(job.key, request.errorMessage))
            instance = gw.instances.get(job.process_instance_key)
            if instance is not None:
                instance.state = "incident"
            gw._finish(job, INCIDENT)
        elif request.retryBackOff > 0:
            # FAILED until the backoff ends (JobBackoffChecker -> RECURRED_AFTER_BACKOFF).
            job.state = FAILED
            job.available_at = time.monotonic() + request.retryBackOff / 1000
            heapq.heappush(gw._delayed, (job.available_at, next(gw._seq), job.key))
        else:
            # No backoff: activatable at once, and published (pushed) like a new job
            # (JobFailProcessor: jobActivationBehavior.publishWork).
            job.state = ACTIVATABLE
            job.available_at = 0.0
            gw._offer_job(job)
        self._ok(call)
        return pb.FailJobResponse()

    async def ThrowError(
        self, request: pb.ThrowErrorRequest, context: grpc.aio.ServicerContext
    ) -> pb.ThrowErrorResponse:
        call = await self._enter("ThrowError", request, context)
        job = await self._job_for(call, context, request.jobKey, "throw an error for")
        variables = await self._variables(call, context, request.variables)
        job.error_code = request.errorCode
        job.error_message = request.errorMessage
        job.error_variables = variables
        self.gw._finish(job, ERROR_THROWN)
        self.gw._job_error(job, request.errorCode, variables)
        self._ok(call)
        return pb.ThrowErrorResponse()

    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateJobTimeoutResponse:
        call = await self._enter("UpdateJobTimeout", request, context)
        job = await self._job_for(call, context, request.jobKey, "update the timeout of")
        job.timeout_updates.append(request.timeout)
        self.gw._set_deadline(job, request.timeout)
        self._ok(call)
        return pb.UpdateJobTimeoutResponse()

    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateJobRetriesResponse:
        call = await self._enter("UpdateJobRetries", request, context)
        job = self.gw.jobs.get(request.jobKey)
        if job is None or job.state in (COMPLETED, ERROR_THROWN):
            await self._reject(call, context, grpc.StatusCode.NOT_FOUND, "no such job")
        assert job is not None
        job.retries = request.retries
        self._ok(call)
        return pb.UpdateJobRetriesResponse()

    async def Topology(
        self, request: pb.TopologyRequest, context: grpc.aio.ServicerContext
    ) -> pb.TopologyResponse:
        call = await self._enter("Topology", request, context)
        self._ok(call)
        return pb.TopologyResponse(
            brokers=[
                pb.BrokerInfo(
                    nodeId=0,
                    host=self.gw.host,
                    port=self.gw.port,
                    version="8.6.0-switchboard-test",
                    partitions=[
                        pb.Partition(
                            partitionId=1,
                            role=pb.Partition.PartitionBrokerRole.LEADER,
                            health=pb.Partition.PartitionBrokerHealth.HEALTHY,
                        )
                    ],
                )
            ],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion="8.6.0-switchboard-test",
        )

    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.PublishMessageResponse:
        gw = self.gw
        call = await self._enter("PublishMessage", request, context)
        await self._variables(call, context, request.variables)
        if not request.name:
            await self._reject(call, context, grpc.StatusCode.INVALID_ARGUMENT, "name is empty")
        tenant = request.tenantId or DEFAULT_TENANT
        now = time.monotonic()
        # MessagePublishProcessor: an id already buffered for this name, correlation key and
        # tenant is refused with ALREADY_EXISTS until the message expires.
        if request.messageId and any(
            m.deadline > now
            and (m.name, m.correlation_key, m.message_id, m.tenant_id)
            == (request.name, request.correlationKey, request.messageId, tenant)
            for m in gw.buffered
        ):
            await self._reject(
                call,
                context,
                grpc.StatusCode.ALREADY_EXISTS,
                f"Command 'PUBLISH' rejected with code 'ALREADY_EXISTS': Expected to publish a "
                f"new message with id '{request.messageId}', but a message with that id was "
                "already published",
            )
        gw.messages.append(request)
        key = gw._publish_message(request)
        self._ok(call)
        return pb.PublishMessageResponse(key=key, tenantId=tenant)

    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeployResourceResponse:
        call = await self._enter("DeployResource", request, context)
        try:
            response = self.gw._deploy(request)
        except ValueError as exc:
            await self._reject(call, context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
            raise
        self.gw.deployments.append(request)
        self._ok(call)
        return response

    async def _definition_for(
        self,
        call: Call,
        request: pb.CreateProcessInstanceRequest,
        context: grpc.aio.ServicerContext,
    ) -> ProcessDefinition:
        gw = self.gw
        # As Zeebe: a key names one definition; otherwise the id with a version (-1: latest).
        if request.processDefinitionKey:
            definition = gw.definitions.get(request.processDefinitionKey)
            missing = f"with key '{request.processDefinitionKey}'"
        elif request.version > 0:
            definition = next(
                (
                    d
                    for d in gw.definitions.values()
                    if d.bpmn_process_id == request.bpmnProcessId and d.version == request.version
                ),
                None,
            )
            missing = f"with process ID '{request.bpmnProcessId}' and version '{request.version}'"
        else:
            definition = gw.processes.get(request.bpmnProcessId)
            missing = f"with process ID '{request.bpmnProcessId}'"
        if definition is None:
            await self._reject(
                call,
                context,
                grpc.StatusCode.NOT_FOUND,
                f"Expected to find process definition {missing}, but none found",
            )
        assert definition is not None
        if definition.start_element is None:
            await self._reject(
                call,
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "Expected to create instance of process with none start event, but there is no "
                "such event",
            )
        return definition

    async def CreateProcessInstance(
        self, request: pb.CreateProcessInstanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateProcessInstanceResponse:
        gw = self.gw
        call = await self._enter("CreateProcessInstance", request, context)
        variables = await self._variables(call, context, request.variables)
        definition = await self._definition_for(call, request, context)
        key = gw._create_instance(definition, variables)
        self._ok(call)
        return pb.CreateProcessInstanceResponse(
            processDefinitionKey=definition.key,
            bpmnProcessId=definition.bpmn_process_id,
            version=definition.version,
            processInstanceKey=key,
            tenantId=request.tenantId or DEFAULT_TENANT,
        )

    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateProcessInstanceWithResultResponse:
        gw = self.gw
        call = await self._enter("CreateProcessInstanceWithResult", request, context)
        variables = await self._variables(call, context, request.request.variables)
        definition = await self._definition_for(call, request.request, context)
        key = gw._create_instance(definition, variables)
        instance = gw.instances[key]
        wait_ms = request.requestTimeout or gw.default_request_timeout_ms
        try:
            await gw.wait_for(lambda: instance.state != "active", timeout=wait_ms / 1000)
        except GatewayTimeout:
            await self._reject(
                call,
                context,
                grpc.StatusCode.DEADLINE_EXCEEDED,
                "Time out between gateway and broker: the process instance did not complete",
            )
        wanted = list(request.fetchVariables)
        result = {k: v for k, v in instance.variables.items() if not wanted or k in wanted}
        self._ok(call)
        return pb.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=definition.key,
            bpmnProcessId=definition.bpmn_process_id,
            version=definition.version,
            processInstanceKey=key,
            variables=json.dumps(result),
            tenantId=request.request.tenantId or DEFAULT_TENANT,
        )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# --------------------------------------------------------------------- separate process


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def job_statistics(jobs: Iterable[GatewayJob]) -> dict[str, Any]:
    """Throughput and activation-to-finish latency of finished jobs (gateway clock)."""
    done = [j for j in jobs if j.finished_at is not None and j.activated_at is not None]
    if not done:
        return {"finished": 0}
    first = min(j.activated_at for j in done if j.activated_at is not None)
    last = max(j.finished_at for j in done if j.finished_at is not None)
    latencies = sorted(
        (j.finished_at - j.activated_at) * 1000
        for j in done
        if j.finished_at is not None and j.activated_at is not None
    )
    elapsed = max(last - first, 1e-9)
    return {
        "finished": len(done),
        "completed": sum(1 for j in done if j.state == COMPLETED),
        "elapsed_s": round(elapsed, 3),
        "jobs_per_s": round(len(done) / elapsed, 1),
        "latency_p50_ms": round(_percentile(latencies, 0.50), 2),
        "latency_p99_ms": round(_percentile(latencies, 0.99), 2),
    }


async def _serve(args: argparse.Namespace) -> None:
    gw = TestGateway(host=args.host, port=args.port, record_calls=not args.report)
    await gw.start()
    variables = json.loads(args.variables)
    headers = json.loads(args.headers)
    seeded: list[GatewayJob] = []

    def create() -> None:
        seeded.append(
            gw.add_job(args.type, variables=variables, headers=headers, retries=args.retries)
        )

    if args.chain:
        # Process-like arrival: ``--chain K`` instances, each finished job creates the next
        # one, so jobs keep becoming activatable while the worker runs (what streams carry).
        def next_in_chain(job: GatewayJob) -> None:
            if len(seeded) < args.jobs:
                create()

        gw.on_finished = next_in_chain
        for _ in range(min(args.chain, args.jobs)):
            create()
    else:
        for _ in range(args.jobs):
            create()
    print(f"LISTENING {gw.address}", flush=True)
    cpu = time.process_time()
    if args.report:
        # O(1) predicate: it is re-checked after every command.
        await gw.wait_for(lambda: gw.finished_count >= args.jobs, timeout=args.max_seconds)
        stats = job_statistics(seeded)
        stats["gateway_cpu_us_per_job"] = round(
            (time.process_time() - cpu) / max(len(seeded), 1) * 1e6, 1
        )
        stats["pushed"] = sum(j.pushed for j in seeded)
        stats["yielded"] = sum(j.yielded for j in seeded)
        print(json.dumps(stats), flush=True)
        await gw.stop()
        return
    try:
        await asyncio.Event().wait()
    finally:
        await gw.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.gateway", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--jobs", type=int, default=0, help="jobs to seed")
    parser.add_argument("--type", default="noop", help="job type of the seeded jobs")
    parser.add_argument("--variables", default="{}", help="JSON object: each job's variables")
    parser.add_argument("--headers", default="{}", help="JSON object: each job's custom headers")
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument(
        "--chain",
        type=int,
        default=0,
        help="K: seed K jobs and create the next one whenever one finishes, until --jobs",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print a JSON statistics line and exit once every seeded job is finished",
    )
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
