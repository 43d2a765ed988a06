"""The :class:`~connectors.sdk.inbound.InboundContext` the runtime hands an activated connector."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.inbound.correlation import Correlator
from app.inbound.history import InboundHistorySink, InboundOutcome, InboundRecord
from app.inbound.instances import ElementInstanceSource, InstanceContext
from app.runtime import expressions
from app.runtime.errors import ExpressionError
from app.runtime.payload import cap_payload
from connectors.sdk.binding import field_errors
from connectors.sdk.errors import ConnectorError, ConnectorInputError
from connectors.sdk.inbound import (
    Activity,
    AlreadyCorrelated,
    Correlated,
    CorrelationFailed,
    CorrelationResult,
    Health,
    InboundElement,
    ProcessInstanceContext,
    Severity,
)

log = logging.getLogger("switchboard.inbound")
M = TypeVar("M", bound=BaseModel)
ACTIVITY_LOG_SIZE = 100


def outcome_of(result: CorrelationResult) -> InboundOutcome:
    if isinstance(result, Correlated):
        return "correlated"
    if isinstance(result, AlreadyCorrelated):
        return "duplicate"
    if isinstance(result, CorrelationFailed):
        return "failed"
    return "unmatched"


class RuntimeContext:
    """One executable's context: bound properties, FEEL, correlation, health and activity.

    ``properties`` already have their secret placeholders replaced; ``mask`` hides every
    resolved secret value in what is logged or recorded.
    """

    def __init__(
        self,
        *,
        connector_type: str,
        properties: Mapping[str, Any],
        elements: Sequence[InboundElement],
        correlator: Correlator,
        mask: Callable[[Any], Any],
        history: InboundHistorySink | None = None,
        history_limit: int = 64 * 1024,
        instances: ElementInstanceSource | None = None,
    ) -> None:
        self.connector_type = connector_type
        self._instances = instances
        self._properties = properties
        self._elements = tuple(elements)
        self.correlator = correlator
        self.mask = mask
        self._history = history
        self._history_limit = history_limit
        self.health = Health.unknown()
        self.activity: collections.deque[Activity] = collections.deque(maxlen=ACTIVITY_LOG_SIZE)
        self.last_activity: dt.datetime | None = None
        # Each element's own properties (secrets resolved), by (definition key, element id).
        self.element_properties: dict[tuple[int, str], dict[str, Any]] = {}
        # Set by the inbound service: what cancel() asks of it.
        self.on_cancel: Callable[[str], None] | None = None

    # -- InboundContext --------------------------------------------------------------------

    @property
    def properties(self) -> Mapping[str, Any]:
        return self._properties

    @property
    def elements(self) -> Sequence[InboundElement]:
        return self._elements

    def bind(self, model: type[M]) -> M:
        return self.bind_with(model, {})

    def bind_with(self, model: type[M], variables: Mapping[str, Any]) -> M:
        """:meth:`bind` with FEEL evaluated against ``variables``."""

        def evaluate(expression: str) -> Any:
            return self.evaluate(expression, variables)

        try:
            return model.model_validate(
                dict(self._properties),
                by_alias=True,
                by_name=True,
                context={"evaluate": evaluate},
            )
        except ValidationError as exc:
            errors = field_errors(exc, model)
            details = "; ".join(str(e) for e in errors)
            raise ConnectorInputError(
                f"Invalid properties ({len(errors)}): {self.mask(details)}", errors=errors
            ) from None

    def evaluate(self, expression: str, variables: Mapping[str, Any]) -> Any:
        try:
            return expressions.evaluate(expression, dict(variables))
        except ExpressionError as exc:
            raise ConnectorInputError(self.mask(str(exc)), code="FEEL_EXPRESSION_ERROR") from None

    @property
    def process_instances_available(self) -> bool:
        return self._instances is not None

    async def process_instances(self) -> Sequence[ProcessInstanceContext]:
        source = self._instances
        if source is None:
            raise ConnectorInputError(
                "process instances cannot be listed: set CAMUNDA_REST_ADDRESS "
                "(Camunda's Orchestration Cluster REST API)"
            )
        found: list[ProcessInstanceContext] = []
        for element in self._elements:
            # A boundary event's tokens wait at the activity it is attached to
            # (InboundIntermediateConnectorContextImpl.getProcessInstanceContexts).
            element_id = element.attached_to or element.element_id
            try:
                instances = await source.active_element_instances(
                    element.process_definition_key, element_id
                )
            except ConnectorError:
                raise
            except Exception as exc:
                reason = self.mask(str(exc))[:500] or type(exc).__name__
                raise ConnectorError(
                    "PROCESS_INSTANCES_UNAVAILABLE",
                    f"the element instances of {element_id!r} could not be listed: {reason}",
                ) from None
            found.extend(
                InstanceContext(
                    element=element,
                    instance=instance,
                    source=source,
                    bind=self.bind_with,
                    correlate=self.correlate,
                )
                for instance in instances
            )
        return found

    def can_activate(self, variables: Mapping[str, Any]) -> bool:
        try:
            return bool(self.correlator.matching(variables))
        except ConnectorInputError:
            return False

    async def correlate(
        self, variables: Mapping[str, Any], *, message_id: str | None = None
    ) -> CorrelationResult:
        started = dt.datetime.now(dt.UTC)
        clock = time.perf_counter()
        try:
            result, _ = await self.correlator.correlate(variables, message_id)
        except Exception as exc:  # never raise into the connector
            log.exception("inbound correlation failed unexpectedly")
            result = CorrelationFailed("OTHER", f"{type(exc).__name__}: {exc}")
        self.note_correlation(result)
        self.record(
            source="inbound",
            outcome=outcome_of(result),
            started=started,
            duration_ms=(time.perf_counter() - clock) * 1000,
            input=variables,
            output=describe(result),
            result=result,
        )
        return result

    def cancel(self, error: BaseException | str | None = None) -> None:
        if isinstance(error, BaseException):
            reason = getattr(error, "message", None) or str(error) or type(error).__name__
        else:
            reason = error or "cancelled by the connector"
        reason = self.mask(str(reason))
        self.log(f"Executable cancelled: {reason}", severity="WARNING", tag="Activation")
        self.report_health(Health.down(reason))
        if self.on_cancel is not None:
            self.on_cancel(reason)

    def report_health(self, health: Health) -> None:
        # What a connector reports may quote a secret (an error echoing a URL or a header).
        health = dataclasses.replace(
            health,
            error=self.mask(health.error) if health.error else health.error,
            details=self.mask(dict(health.details)),
        )
        if (health.status, health.error) != (self.health.status, self.health.error):
            self.log(
                f"Health status changed to {health.status}"
                + (f": {health.error}" if health.error else ""),
                severity="INFO" if health.status == "UP" else "ERROR",
                tag="Health",
            )
        self.health = health

    def log(
        self,
        message: str,
        *,
        severity: Severity = "INFO",
        tag: str = "Connector",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        entry = Activity(severity, tag, self.mask(message), self.mask(dict(data or {})))
        self.activity.append(entry)
        self.last_activity = entry.at
        level = logging.WARNING if severity in ("WARNING", "ERROR") else logging.INFO
        if severity == "DEBUG":
            level = logging.DEBUG
        log.log(level, "inbound %s [%s] %s", self.connector_type, tag, entry.message)

    # -- runtime side ------------------------------------------------------------------------

    def note_correlation(self, result: CorrelationResult) -> None:
        if isinstance(result, Correlated):
            what = (
                "Process instance created"
                if result.kind == "instance_created"
                else ("Message published")
            )
            self.log(what, tag="Correlation", data=result.correlation)
        elif isinstance(result, AlreadyCorrelated):
            self.log("Message already correlated", tag="Correlation")
        elif isinstance(result, CorrelationFailed):
            self.log(f"Correlation failed: {result.message}", severity="ERROR", tag="Correlation")
        else:
            self.log("Activation condition not met", severity="WARNING", tag="Correlation")

    def record(
        self,
        *,
        source: str,
        outcome: InboundOutcome,
        started: dt.datetime,
        duration_ms: float,
        input: Any = None,
        output: Any = None,
        http_status: int | None = None,
        path: str | None = None,
        result: CorrelationResult | None = None,
        element: InboundElement | None = None,
        error: tuple[str | None, str] | None = None,
    ) -> None:
        """Hand one masked, capped execution row to the history writer."""
        if self._history is None:
            return
        if element is None and isinstance(result, Correlated | AlreadyCorrelated):
            element = result.element
        if element is None and len(self._elements) == 1:
            element = self._elements[0]
        error_code, error_message = error if error is not None else (None, None)
        if error is None and isinstance(result, CorrelationFailed):
            error_code, error_message = result.status or result.reason, result.message
        record = InboundRecord(
            id=str(uuid.uuid4()),
            source="webhook" if source == "webhook" else "inbound",
            connector_type=self.connector_type,
            outcome=outcome,
            started_at=started,
            finished_at=started + dt.timedelta(milliseconds=duration_ms),
            duration_ms=duration_ms,
            input=cap_payload(self.mask(input), self._history_limit),
            output=cap_payload(self.mask(output), self._history_limit),
            http_status=http_status,
            inbound_context=path,
            bpmn_process_id=element.bpmn_process_id if element else None,
            process_definition_key=element.process_definition_key if element else None,
            process_definition_version=element.version if element else None,
            element_id=element.element_id if element else None,
            tenant_id=element.tenant_id if element else None,
            process_instance_key=(
                result.process_instance_key if isinstance(result, Correlated) else None
            ),
            error_code=error_code,
            error_message=self.mask(error_message) if error_message else None,
            element_template_id=element.template_id if element else None,
            element_template_version=element.template_version if element else None,
        )
        self._history.submit(record)


def describe(result: CorrelationResult) -> dict[str, Any]:
    """A JSON view of a correlation result (execution history, API answers)."""
    if isinstance(result, Correlated):
        return {"result": result.kind, **result.correlation}
    if isinstance(result, AlreadyCorrelated):
        return {"result": "already_correlated", "messageId": result.message_id}
    if isinstance(result, CorrelationFailed):
        return {
            "result": "failed",
            "reason": result.reason,
            "status": result.status,
            "message": result.message,
        }
    return {"result": "activation_condition_not_met", "consumeUnmatched": result.consume}
