"""One job type's worker: a job stream (StreamActivatedJobs) for new jobs plus a poll loop
(ActivateJobs) as the backstop for jobs the stream missed, sharing one concurrency limit.
Runs each job in its own task and sends its outcome. Drives pyzeebe's adapter (activation,
streaming) and the generated stub (commands) directly; see docs/zeebe.md."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import grpc
from pyzeebe.errors import JobAlreadyDeactivatedError, JobNotFoundError, PyZeebeError
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from app.engines import pausing
from app.engines.connectivity import Connectivity
from app.engines.execution import Runtime, execute, header_timeout_ms
from app.engines.lifecycle import TypeWorkerOptions
from app.engines.slots import TaskSlots
from app.engines.zeebe.commands import CommandSender
from app.engines.zeebe.jobs import from_activated
from app.runtime.control import PausedTypes
from app.runtime.model import Job
from connectors.sdk.messages import MessageSender

log = logging.getLogger("switchboard.zeebe")

INITIAL_BACKOFF = 0.1
STREAM_TIMEOUT_SECONDS = 3600.0  # a stream is re-created after this long (as Java's streamTimeout)
DEFAULT_GRPC_TIMEOUT = 20.0  # ActivateJobs deadline when its long polling is off


@dataclass(frozen=True)
class WorkerOptions(TypeWorkerOptions):
    stream: bool = True


class TypeWorker:
    """Activates and runs the jobs of one connector type.

    As Camunda's Java client (``JobWorkerImpl`` + ``JobStreamerImpl``): with streaming on, a
    long-lived StreamActivatedJobs call receives jobs as they become activatable, and the poll
    loop keeps running for the jobs the stream missed (those activatable before the stream
    opened, or yielded back by the gateway while the stream could not take them), backing off
    after each empty poll while the stream is open. Both share one limit: no more than
    ``max_running_jobs`` jobs run at once (the stream stops reading while at the limit, so
    gRPC flow control holds the gateway back; Zeebe then yields pushed jobs to polling).
    """

    def __init__(
        self,
        adapter: ZeebeAdapter,
        job_type: str,
        fetch_variables: tuple[str, ...],
        options: WorkerOptions,
        runtime: Runtime,
        connectivity: Connectivity,
        commands: CommandSender | None = None,
        channel: grpc.aio.Channel | None = None,
        paused: PausedTypes | None = None,
        messages: MessageSender | None = None,
    ) -> None:
        self.adapter = adapter
        self.messages = messages  # the engine's message capability, for context.messages
        self.job_type = job_type
        self.fetch_variables = list(fetch_variables)
        self.options = options
        self.runtime = runtime
        self.connectivity = connectivity
        self.stub = adapter._gateway_stub  # the generated stub: no per-job pyzeebe objects
        self.commands = commands or CommandSender(self.stub, max_backoff=options.max_backoff)
        self.channel = channel
        self.paused = paused
        # Open ActivateJobs / StreamActivatedJobs calls, cancelled when the type is paused.
        self._open_calls: set[Any] = set()
        self._paused_calls: set[Any] = set()
        self.activated = 0
        self.streamed = 0
        self.stream_open = False
        self._slots = TaskSlots(options.max_running_jobs)
        self._stopping = self._slots.stopping
        self.running = self._slots.running

    @property
    def finished(self) -> int:
        """How many of this worker's jobs have ended."""
        return self._slots.finished

    # ------------------------------------------------------------ poll loop

    async def poll(self) -> None:
        """Poll until :meth:`stop_polling`; never raises (errors back off and retry)."""
        backoff = INITIAL_BACKOFF
        idle = self.options.poll_interval
        while not self._stopping.is_set():
            await self._slots.wait_for_room()
            await pausing.wait_resumed(self.paused, self.job_type, self._stopping)
            if self._stopping.is_set():
                return
            free = self.options.max_running_jobs - len(self.running)
            try:
                got = await self._activate(min(free, self.options.max_jobs_to_activate))
            except grpc.aio.AioRpcError as exc:
                if exc.code() is grpc.StatusCode.INVALID_ARGUMENT:
                    log.error(
                        "the gateway rejected the ActivateJobs request for %s: %s",
                        self.job_type,
                        (exc.details() or "")[:300],
                    )
                    await self._slots.pause(self.options.max_backoff)
                    continue
                self.connectivity.unreachable(describe_error(exc))
                # Warn once per outage; the retries that follow are debug noise.
                log.log(
                    logging.WARNING if backoff == INITIAL_BACKOFF else logging.DEBUG,
                    "activating %s jobs failed (%s); retrying in %.1fs",
                    self.job_type,
                    describe_error(exc),
                    backoff,
                )
                await self._reconnect_pause(backoff)
                backoff = min(backoff * 2, self.options.max_backoff)
                continue
            except Exception as exc:  # a bug must not end polling for good
                log.exception("unexpected error activating %s jobs: %s", self.job_type, exc)
                await self._slots.pause(self.options.max_backoff)
                continue
            self.connectivity.reachable()
            backoff = INITIAL_BACKOFF
            if got:
                idle = self.options.poll_interval
            elif self.stream_open:
                # JobWorkerImpl.onPollSuccess: with the stream open, an empty poll backs off,
                # keeping polls to a minimum; the stream delivers the new jobs.
                idle = min(max(idle * 2, INITIAL_BACKOFF), self.options.max_backoff)
                await self._slots.pause(idle)
            elif self.options.poll_interval > 0:
                await self._slots.pause(self.options.poll_interval)

    async def _activate(self, count: int) -> int:
        o = self.options
        request = pb.ActivateJobsRequest(
            type=self.job_type,
            worker=o.name,
            timeout=o.job_timeout_ms,
            maxJobsToActivate=count,
            fetchVariable=self.fetch_variables,
            requestTimeout=o.request_timeout_ms,
            tenantIds=o.tenant_ids,
        )
        # The call's own deadline: twice the long-polling time, as pyzeebe's adapter sets it.
        deadline = o.request_timeout_ms / 1000 * 2 if o.request_timeout_ms > 0 else None
        got = 0
        call = self.stub.ActivateJobs(request, timeout=deadline or DEFAULT_GRPC_TIMEOUT)
        self._open_calls.add(call)
        try:
            async for response in call:
                for raw in response.jobs:
                    got += 1
                    self._spawn(raw)
        except (asyncio.CancelledError, grpc.aio.AioRpcError):
            if not self._cancelled_for_pause(call):
                raise
        finally:
            self._open_calls.discard(call)
            self._paused_calls.discard(call)
        return got

    # ------------------------------------------------------------ job stream

    async def stream(self) -> None:
        """Keep one job stream open until :meth:`stop_polling`; re-open it after errors (a
        gateway restart) with backoff; never raises."""
        backoff = INITIAL_BACKOFF
        while not self._stopping.is_set():
            await pausing.wait_resumed(self.paused, self.job_type, self._stopping)
            if self._stopping.is_set():
                return
            try:
                if await self._consume_stream():
                    backoff = INITIAL_BACKOFF
                if self._stopping.is_set():
                    return
            except grpc.aio.AioRpcError as exc:
                if exc.code() is grpc.StatusCode.INVALID_ARGUMENT:
                    log.error(
                        "the gateway rejected the job stream for %s: %s",
                        self.job_type,
                        (exc.details() or "")[:300],
                    )
                    await self._slots.pause(self.options.max_backoff)
                    continue
                if exc.code() is not grpc.StatusCode.CANCELLED or not self._stopping.is_set():
                    self.connectivity.unreachable(describe_error(exc))
                log.log(
                    logging.WARNING if backoff == INITIAL_BACKOFF else logging.DEBUG,
                    "job stream for %s closed (%s); re-opening",
                    self.job_type,
                    describe_error(exc),
                )
            except Exception as exc:  # a bug must not end streaming for good
                log.exception("unexpected error in the %s job stream: %s", self.job_type, exc)
                await self._slots.pause(self.options.max_backoff)
            finally:
                self.stream_open = False
            if self._stopping.is_set():
                return
            await self._reconnect_pause(backoff)
            backoff = min(backoff * 2, self.options.max_backoff)

    async def _consume_stream(self) -> int:
        """Read one stream until it ends; returns how many jobs it delivered."""
        o = self.options
        request = pb.StreamActivatedJobsRequest(
            type=self.job_type,
            worker=o.name,
            timeout=o.job_timeout_ms,
            fetchVariable=self.fetch_variables,
            tenantIds=o.tenant_ids,
        )
        call = self.stub.StreamActivatedJobs(request, timeout=STREAM_TIMEOUT_SECONDS)
        self._open_calls.add(call)
        self.stream_open = True
        delivered = 0
        try:
            while not self._stopping.is_set():
                raw = await call.read()
                if raw is grpc.aio.EOF:
                    break  # the gateway ended the stream: re-open it
                delivered += 1
                self._spawn(raw, streamed=True)
                # Back-pressure: read no further while at the limit.
                await self._slots.wait_for_room()
        except (asyncio.CancelledError, grpc.aio.AioRpcError):
            if not self._cancelled_for_pause(call):
                raise
        finally:
            self.stream_open = False
            self._open_calls.discard(call)
            self._paused_calls.discard(call)
            call.cancel()
        return delivered

    # ------------------------------------------------------------ pause / resume

    async def watch_pause(self) -> None:
        """Until :meth:`stop_polling`: when the type is paused, cancel the open activation
        and stream calls (the gateway then hands its jobs to other workers); the loops wait
        for the resume before they open new ones. Running jobs finish as usual."""
        await pausing.watch_pause(
            self.paused,
            self.job_type,
            self._stopping,
            on_pause=self._cancel_open_calls,
            log=log,
            running=lambda: len(self.running),
        )

    def _cancel_open_calls(self) -> None:
        for call in list(self._open_calls):
            self._paused_calls.add(call)
            call.cancel()

    def _cancelled_for_pause(self, call: Any) -> bool:
        """True when ``call`` ended because :meth:`watch_pause` cancelled it (and not because
        this task itself is being cancelled)."""
        task = asyncio.current_task()
        return call in self._paused_calls and (task is None or task.cancelling() == 0)

    # ------------------------------------------------------------ shared limit

    def _spawn(self, job: pb.ActivatedJob, *, streamed: bool = False) -> None:
        self.activated += 1
        if streamed:
            self.streamed += 1
        self._slots.start(self._run(job), name=f"zeebe-job-{job.key}")

    async def _reconnect_pause(self, seconds: float) -> None:
        """After an error: when the connection is down, wait until the channel is READY
        again (its own reconnect backoff is then the only one, so a restarted gateway is
        used at once), at most the backoff cap; when the connection is up (the gateway
        itself answered UNAVAILABLE, e.g. no broker leader yet), pause ``seconds``."""
        channel = self.channel
        if channel is None or channel.get_state() is grpc.ChannelConnectivity.READY:
            await self._slots.pause(seconds)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.options.max_backoff):
                await _channel_ready(channel, self._stopping)
        if not self._stopping.is_set():
            await self._slots.pause(min(seconds, INITIAL_BACKOFF))

    def stop_polling(self) -> None:
        self._slots.stop()

    # ------------------------------------------------------------ one job

    async def _run(self, raw: pb.ActivatedJob) -> None:
        job = await self._apply_job_timeout(from_activated(raw))
        if job is None:
            return
        outcome = await execute(self.runtime, job, source="zeebe", messages=self.messages, log=log)
        await self.commands.send(job.info.key, outcome, deadline_ms=job.info.deadline)

    async def _apply_job_timeout(self, job: Job) -> Job | None:
        """Extend the job's deadline from the ``jobTimeout`` header before running.

        Returns the job (with its new deadline when extended), or None when the gateway no
        longer knows it. An invalid header is left to the runtime, which fails the job.
        """
        millis = header_timeout_ms(job)
        if millis is None:
            return job
        try:
            await self.adapter.update_job_timeout(job.info.key, millis)
        except (JobNotFoundError, JobAlreadyDeactivatedError):
            log.warning("job %s: no longer active, not running it", job.info.key)
            return None
        except PyZeebeError as exc:
            log.warning(
                "job %s: could not extend its timeout (%s)", job.info.key, describe_error(exc)
            )
            return job
        return job.with_deadline(int(time.time() * 1000) + millis)


def describe_error(exc: BaseException) -> str:
    """``Class: GRPC_CODE: details`` for a pyzeebe error, ``GRPC_CODE: details`` for a gRPC
    error (gateway details carry no job data)."""
    if isinstance(exc, grpc.aio.AioRpcError):
        details = (exc.details() or "").strip()
        return f"{exc.code().name}: {details[:300]}" if details else exc.code().name
    grpc_error = getattr(exc, "grpc_error", None)
    if grpc_error is None and isinstance(exc.__cause__, grpc.aio.AioRpcError):
        grpc_error = exc.__cause__
    if isinstance(grpc_error, grpc.aio.AioRpcError):
        details = (grpc_error.details() or "").strip()
        text = f"{type(exc).__name__}: {grpc_error.code().name}"
        return f"{text}: {details[:300]}" if details else text
    return type(exc).__name__


async def _channel_ready(channel: grpc.aio.Channel, stopping: asyncio.Event) -> None:
    """Return once ``channel`` is READY (asking it to connect) or ``stopping`` is set."""
    state = channel.get_state(try_to_connect=True)
    while state is not grpc.ChannelConnectivity.READY and not stopping.is_set():
        change = asyncio.ensure_future(channel.wait_for_state_change(state))
        stop = asyncio.ensure_future(stopping.wait())
        try:
            await asyncio.wait({change, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            change.cancel()
            stop.cancel()
        state = channel.get_state(try_to_connect=True)
