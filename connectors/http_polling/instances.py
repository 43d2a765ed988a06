"""HTTP polling per waiting process instance, as Camunda's runtime does it (camunda/connectors
connectors/http/polling ``task/ProcessInstancesFetcherTask.java`` and
``task/HttpRequestTask.java``).

Every ``processPollingInterval`` the poller asks the runtime for the tokens waiting at the
element (``InboundContext.process_instances``), stops the request task of every token that is
gone and starts one for every new token. Health is UP with the number of waiting instances
(``Process instances``), or DOWN with the error when the look-up fails. Each token's task
sends the REST connector's request every ``httpRequestInterval`` (the first at once), its
properties bound against that instance's variables, and correlates the response
``{status, headers, body, reason}`` with the message id ``elementId + elementInstanceKey``.
A request or binding error is an ``ERROR`` activity-log entry and the task goes on at the next
interval, as Camunda logs and ignores it.
"""

from __future__ import annotations

import asyncio
import contextlib

from connectors._http import HttpRequestSpec, execute
from connectors.http_polling.properties import PollingIntervals, PollingProperties
from connectors.http_polling.spec import request_spec
from connectors.sdk.errors import ConnectorError, ConnectorInputError
from connectors.sdk.inbound import (
    CorrelationResult,
    Health,
    InboundContext,
    ProcessInstanceContext,
)


class InstancePoller:
    """The process-instance fetcher and its per-token request tasks (module doc)."""

    def __init__(self, context: InboundContext, intervals: PollingIntervals) -> None:
        self.context = context
        self.intervals = intervals
        self.tokens: dict[str, asyncio.Task[None]] = {}
        self._fetcher: asyncio.Task[None] | None = None

    def start(self, name: str) -> None:
        self._fetcher = asyncio.create_task(self._fetch_forever(), name=name)

    @property
    def running(self) -> bool:
        return self._fetcher is not None and not self._fetcher.done()

    async def stop(self) -> None:
        tasks = [t for t in (self._fetcher, *self.tokens.values()) if t is not None]
        self._fetcher = None
        self.tokens.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _fetch_forever(self) -> None:
        delay = self.intervals.process_interval.total_seconds()
        while True:
            try:
                await self.fetch()
            except Exception as exc:  # a bug must not end the polling for good
                self.context.report_health(Health.down(f"Polling failed: {type(exc).__name__}"))
            await asyncio.sleep(delay)

    async def fetch(self) -> int | None:
        """Look the waiting tokens up once and start or stop their tasks (None: failed)."""
        try:
            instances = await self.context.process_instances()
        except ConnectorError as exc:
            self.context.report_health(Health.down(exc.message))
            self.context.log(
                f"Process instances could not be fetched: {exc.message}",
                severity="ERROR",
                tag="Process instances",
            )
            return None
        waiting = {instance.task_key(): instance for instance in instances}
        for key in [k for k in self.tokens if k not in waiting]:
            self.tokens.pop(key).cancel()
        for key, instance in waiting.items():
            if key not in self.tokens:
                self.tokens[key] = asyncio.create_task(
                    self._poll_forever(instance), name=f"http-polling-{key}"
                )
        self.context.report_health(Health.up(**{"Process instances": len(waiting)}))
        return len(waiting)

    async def _poll_forever(self, instance: ProcessInstanceContext) -> None:
        delay = self.intervals.request_interval.total_seconds()
        while True:
            try:
                await self.poll(instance)
            except Exception as exc:  # never let the token's task die
                self._error(f"HTTP request failed: {type(exc).__name__}", "http-request")
            # Camunda's scheduleWithFixedDelay: from the end of one request to the next.
            await asyncio.sleep(delay)

    async def poll(self, instance: ProcessInstanceContext) -> CorrelationResult | None:
        """One request for one token, and the correlation of its response."""
        try:
            spec: HttpRequestSpec = request_spec(await instance.bind(PollingProperties))
        except ConnectorError as exc:
            self._error(f"Error binding properties for HTTP request: {exc.message}", "http-request")
            return None
        try:
            response = await execute(spec)
        except ConnectorInputError as exc:  # before ConnectorError, its base class
            self._error(f"Error executing http request: {spec.url}: {exc.message}", spec.method)
            return None
        except ConnectorError as exc:
            self._error(
                f"Error executing http request: {spec.url}: code {exc.code}: {exc.message}",
                spec.method,
            )
            return None
        result = await instance.correlate(response)
        self.context.log(f"Polled url: {spec.url}", tag=spec.method)
        return result

    def _error(self, message: str, tag: str) -> None:
        self.context.log(message, severity="ERROR", tag=tag)
