"""One job type's poll loop over the REST API: activate jobs (``POST /v2/jobs/activation``,
long polling) while below the concurrency limit, run each in its own task through the
runtime, send the outcome. The same shape and rules as the gRPC engine's worker."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
from camunda_orchestration_sdk import CamundaAsyncClient
from camunda_orchestration_sdk.errors import ApiError
from camunda_orchestration_sdk.models import ActivatedJobResult, JobActivationRequest

from app.engines import pausing
from app.engines.camunda_rest.client import describe_error, reason_of
from app.engines.camunda_rest.commands import send_outcome, update_timeout
from app.engines.camunda_rest.jobs import to_runtime_job
from app.engines.connectivity import Connectivity
from app.engines.execution import Runtime, execute, header_timeout_ms
from app.engines.lifecycle import TypeWorkerOptions
from app.engines.slots import TaskSlots
from app.runtime.control import PausedTypes
from app.runtime.model import Job, Source
from connectors.sdk.messages import MessageSender

log = logging.getLogger("switchboard.camunda_rest")

INITIAL_BACKOFF = 0.1
SOURCE: Source = "camunda-rest"


WorkerOptions = TypeWorkerOptions


class RestTypeWorker:
    """Activates and runs the jobs of one connector type over the REST API: activations on
    ``poll_client``, job commands on ``client``."""

    def __init__(
        self,
        poll_client: CamundaAsyncClient,
        client: CamundaAsyncClient,
        job_type: str,
        fetch_variables: tuple[str, ...],
        options: WorkerOptions,
        runtime: Runtime,
        connectivity: Connectivity,
        paused: PausedTypes | None = None,
        messages: MessageSender | None = None,
    ) -> None:
        self.poll_client = poll_client
        self.paused = paused
        self._activation: asyncio.Task[int] | None = None
        self.messages = messages  # the engine's message capability, for context.messages
        self.client = client
        self.job_type = job_type
        self.fetch_variables = list(fetch_variables)
        self.options = options
        self.runtime = runtime
        self.connectivity = connectivity
        self.activated = 0
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
        while not self._stopping.is_set():
            await self._slots.wait_for_room()
            await pausing.wait_resumed(self.paused, self.job_type, self._stopping)
            if self._stopping.is_set():
                return
            free = self.options.max_running_jobs - len(self.running)
            self._activation = asyncio.ensure_future(
                self._activate(min(free, self.options.max_jobs_to_activate))
            )
            try:
                got = await self._activation
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                continue  # cancelled by watch_pause: the type was paused
            except (ApiError, httpx.HTTPError) as exc:
                reason = reason_of(exc)
                if reason in ("INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED"):
                    # No retry soon can help; keep trying at the slowest pace.
                    self.connectivity.unreachable(describe_error(exc))
                    log.error(
                        "the REST API refused activating %s jobs: %s",
                        self.job_type,
                        describe_error(exc),
                    )
                    await self._slots.pause(self.options.max_backoff)
                    continue
                self.connectivity.unreachable(describe_error(exc))
                log.log(
                    logging.WARNING if backoff == INITIAL_BACKOFF else logging.DEBUG,
                    "activating %s jobs failed (%s); retrying in %.1fs",
                    self.job_type,
                    describe_error(exc),
                    backoff,
                )
                await self._slots.pause(backoff)
                backoff = min(backoff * 2, self.options.max_backoff)
                continue
            except Exception as exc:  # a bug must not end polling for good
                log.error(
                    "unexpected error activating %s jobs: %s", self.job_type, type(exc).__name__
                )
                await self._slots.pause(self.options.max_backoff)
                continue
            self.connectivity.reachable()
            backoff = INITIAL_BACKOFF
            if got == 0 and self.options.poll_interval > 0:
                await self._slots.pause(self.options.poll_interval)

    async def watch_pause(self) -> None:
        """Until :meth:`stop_polling`: when the type is paused, cancel the activation in
        flight; the poll loop waits for the resume. Running jobs finish as usual."""
        await pausing.watch_pause(
            self.paused, self.job_type, self._stopping, on_pause=self._cancel_activation, log=log
        )

    def _cancel_activation(self) -> None:
        if self._activation is not None:
            self._activation.cancel()

    async def _activate(self, count: int) -> int:
        request = JobActivationRequest(
            type_=self.job_type,
            timeout=self.options.job_timeout_ms,
            max_jobs_to_activate=count,
            worker=self.options.name,
            request_timeout=self.options.request_timeout_ms,
        )
        if self.fetch_variables:
            request.fetch_variable = self.fetch_variables
        if self.options.tenant_ids:
            request.tenant_ids = list(self.options.tenant_ids)
        result = await self.poll_client.activate_jobs(data=request)
        for job in result.jobs:
            self._spawn(job)
        return len(result.jobs)

    def _spawn(self, job: ActivatedJobResult) -> None:
        self.activated += 1
        self._slots.start(self._run(job), name=f"camunda-rest-job-{job.job_key}")

    def stop_polling(self) -> None:
        self._slots.stop()

    # ------------------------------------------------------------ one job

    async def _run(self, activated: ActivatedJobResult) -> None:
        job = await self._apply_job_timeout(to_runtime_job(activated))
        if job is None:
            return
        outcome = await execute(self.runtime, job, source=SOURCE, messages=self.messages, log=log)
        await send_outcome(
            self.client,
            job.info.key,
            outcome,
            deadline_ms=job.info.deadline,
            max_backoff=self.options.max_backoff,
        )

    async def _apply_job_timeout(self, job: Job) -> Job | None:
        """Extend the job's deadline from the ``jobTimeout`` header before running.

        Returns the job (with its new deadline when extended), or None when the engine no
        longer knows it (404) or it is no longer activated (409). An invalid header is left
        to the runtime, which fails the job.
        """
        millis = header_timeout_ms(job)
        if millis is None:
            return job
        try:
            await update_timeout(self.client, job.info.key, millis)
        except (ApiError, httpx.HTTPError) as exc:
            if reason_of(exc) in ("NOT_FOUND", "FAILED_PRECONDITION"):
                log.warning("job %s: no longer active, not running it", job.info.key)
                return None
            log.warning(
                "job %s: could not extend its timeout (%s)", job.info.key, describe_error(exc)
            )
            return job
        return job.with_deadline(int(time.time() * 1000) + millis)
