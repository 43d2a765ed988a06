"""The HTTP polling connector (``io.camunda:http-polling:1``) on Switchboard's inbound SDK.

Camunda's connector (camunda/connectors connectors/http/polling ``HttpPollingConnector``,
``task/ProcessInstancesFetcherTask``, ``task/HttpRequestTask``) looks up the process instances
waiting at the element every ``processPollingInterval`` and, for each, sends the REST
connector's request (its properties evaluated against that instance's variables) every
``httpRequestInterval``, correlating the response with the message id
``elementId + elementInstanceKey``. Switchboard does the same when the runtime can list the
waiting instances (``CAMUNDA_REST_ADDRESS`` set: :mod:`connectors.http_polling.instances`).
Without it (Zeebe's gRPC API cannot list them) this connector polls *once per element*: the
request's FEEL is evaluated without process variables, and the element's
``correlationKeyExpression`` picks the instance from the response (docs/inbound.md, "HTTP
polling", says precisely what differs).

Per element, each poll: one request; an HTTP or I/O error reports health DOWN with the
(masked) error and polling goes on at the next interval, as Camunda ignores it; a response
reports UP and is correlated (activation condition, correlation key, message id, result
mapping over ``response`` = ``{status, headers, body, reason}`` and its fields at top level).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import Any

from connectors._http import HttpRequestSpec, execute
from connectors.http_polling.instances import InstancePoller
from connectors.http_polling.properties import PollingIntervals, PollingProperties
from connectors.http_polling.spec import request_spec
from connectors.sdk import ConnectorInputError
from connectors.sdk.errors import ConnectorError
from connectors.sdk.fields import Group
from connectors.sdk.inbound import CorrelationResult, Health, InboundContext, inbound_connector

TYPE = "io.camunda:http-polling:1"
TEMPLATE_VERSION = 9  # the newest official template in @camunda/connectors-element-templates
MINIMUM_INTERVAL = dt.timedelta(milliseconds=1)


@inbound_connector(
    name="HTTP Polling",
    type=TYPE,
    version=TEMPLATE_VERSION,
    properties=PollingProperties,
    element_kinds=("intermediate_catch_event", "boundary_event"),
    template_ids={
        "intermediate_catch_event": "io.camunda.connectors.http.Polling",
        "boundary_event": "io.camunda.connectors.http.Polling.Boundary",
    },
    documentation_url="https://docs.camunda.io/docs/components/connectors/protocol/polling/",
    description="Polls endpoint at regular intervals",
    groups=(
        Group("authentication", "Authentication"),
        Group("endpoint", "HTTP Polling configuration"),
        Group("payload", "Payload"),
        Group("interval", "HTTP Polling Interval"),
        Group("timeout", "Connection timeout"),
    ),
    # The official polling templates offer none of these: no deduplication (one executable
    # per element), no synchronous response, no consumeUnmatchedEvents (nobody to answer).
    extra={
        "runtime_properties_omitted": (
            "consumeUnmatchedEvents",
            "synchronousResponse",
            "deduplicationModeManualFlag",
            "deduplicationId",
            "deduplicationModeManual",
            "deduplicationModeAuto",
        )
    },
)
class HttpPolling:
    """Poll a URL at the element's interval until the activation condition holds."""

    context: InboundContext
    props: PollingProperties
    spec: HttpRequestSpec
    polls: int = 0
    _task: asyncio.Task[None] | None = None
    _instances: InstancePoller | None = None

    async def activate(self, context: InboundContext) -> None:
        self.context = context
        if context.process_instances_available:
            # Per waiting instance: only the intervals are bound now, the request per token.
            intervals = context.bind(PollingIntervals)
            for name, value in (
                ("httpRequestInterval", intervals.request_interval),
                ("processPollingInterval", intervals.process_interval),
            ):
                if value < MINIMUM_INTERVAL:
                    raise ConnectorInputError(
                        f"{name}: must be a positive ISO-8601 duration, e.g. PT50S"
                    )
            self._instances = InstancePoller(context, intervals)
            self._instances.start(f"http-polling-instances-{_element_id(context)}")
            return
        self.props = context.bind(PollingProperties)
        if self.props.interval < MINIMUM_INTERVAL:
            raise ConnectorInputError(
                "httpRequestInterval: must be a positive ISO-8601 duration, e.g. PT50S"
            )
        self.spec = request_spec(self.props)
        self._task = asyncio.create_task(self._run(), name=f"http-polling-{_element_id(context)}")

    @property
    def running(self) -> bool:
        """Whether the polling task is alive."""
        if self._instances is not None:
            return self._instances.running
        return self._task is not None and not self._task.done()

    async def deactivate(self) -> None:
        if self._instances is not None:
            await self._instances.stop()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if hasattr(self, "context"):
            self.context.log("Polling stopped", tag="Activation")

    async def _run(self) -> None:
        delay = self.props.interval.total_seconds()
        while True:
            try:
                await self.poll()
            except Exception as exc:  # a bug must not end the polling for good
                self._failed(f"Polling failed: {type(exc).__name__}", self.spec.method)
            # A fixed delay between the end of one request and the start of the next, as
            # Camunda's scheduleWithFixedDelay.
            await asyncio.sleep(delay)

    async def poll(self) -> CorrelationResult | None:
        """Send the request once and correlate the response (None: the request failed)."""
        self.polls += 1
        method = self.spec.method
        try:
            # Re-bound for every request, as Camunda binds the request per HttpRequestTask
            # run: time-dependent FEEL (now()) is evaluated afresh.
            self.spec = request_spec(self.context.bind(PollingProperties))
        except ConnectorInputError as exc:
            self._failed(f"Properties could not be bound: {exc.message}", method)
            return None
        method = self.spec.method
        try:
            response = await execute(self.spec)
        except ConnectorInputError as exc:  # before ConnectorError, its base class
            self._failed(f"HTTP request not sent: {exc.message}", method)
            return None
        except ConnectorError as exc:
            self._failed(f"HTTP request failed with code {exc.code}: {exc.message}", method)
            return None
        except Exception as exc:  # never let the polling task die
            self._failed(f"HTTP request failed: {type(exc).__name__}", method)
            return None
        self.context.report_health(Health.up(lastStatus=response.get("status")))
        self.context.log(f"Polled url: {self.spec.url}", tag=method)
        return await self.context.correlate(response, message_id=self._message_id(response))

    def _failed(self, message: str, method: str) -> None:
        self.context.report_health(Health.down(message))
        self.context.log(message, severity="ERROR", tag=method)

    def _message_id(self, response: Mapping[str, Any]) -> str | None:
        """The default message id, used when the element sets no ``messageIdExpression``:
        the element id and the correlation key evaluated over the response (Camunda uses the
        element id and the waiting element instance's key, which Switchboard cannot know)."""
        elements = self.context.elements
        if not elements:
            return None
        element = elements[0]
        expression = _element_property(self.context, "correlationKeyExpression")
        if not expression:
            return None
        try:
            key = self.context.evaluate(expression, {**response, "response": dict(response)})
        except ConnectorInputError:
            return None
        if key is None:
            return None
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(key, bool):
            key = "true" if key else "false"
        return f"{element.element_id}:{key}"


def _element_id(context: InboundContext) -> str:
    return context.elements[0].element_id if context.elements else "element"


def _element_property(context: InboundContext, name: str) -> str | None:
    found = getattr(context, "element_properties", None)
    if not isinstance(found, Mapping):
        return None
    for props in found.values():
        value = props.get(name) if isinstance(props, Mapping) else None
        if isinstance(value, str) and value.strip():
            return value
    return None


__all__ = ["TYPE", "HttpPolling", "PollingProperties", "request_spec"]
