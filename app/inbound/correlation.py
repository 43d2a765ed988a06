"""From an inbound event to an engine command, as Camunda's correlation handler decides it.

Facts from camunda/connectors connector-runtime-core ``InboundCorrelationHandler``,
``ActivationConditionEvaluator``, ``ConnectorResultHandler`` and ``Keywords``:

- every expression (activation condition, correlation key, message id, result expression)
  sees the event's fields at top level plus ``response`` = the whole event, as Camunda's
  ``FeelEngineWrapper`` builds its context (connector-sdk feel-wrapper);
- the activation condition (``activationCondition``, FEEL) is evaluated on the event for
  every element; none holds: *not met* (``consumeUnmatchedEvents`` of any element decides
  whether the event is consumed); an evaluation error: invalid input;
- several elements match: allowed only when all are message elements (intermediate catch,
  boundary, receive task) with the same message name, result mapping, correlation key and
  message id expressions and TTL, else invalid input;
- variables: ``resultVariable`` (blank = absent) gets the whole event, ``resultExpression``
  (FEEL over the event's fields) is merged over it;
- none start event: CreateProcessInstance by BPMN process id *and* the element's version
  (with result when ``synchronousResponse``); message start: PublishMessage with the
  optional correlation key; message elements: PublishMessage with the evaluated
  ``correlationKeyExpression`` (required: no key, invalid input), the message id
  (``messageIdExpression``, else the one given, else empty) and ``messageTtl`` (else the
  default, one hour); ``ALREADY_EXISTS`` means the message id is still buffered: already
  correlated, not a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.inbound.model import Registration
from app.runtime import expressions
from app.runtime.durations import parse_java_duration
from app.runtime.engine import (
    EngineError,
    EngineNotConfiguredError,
    InstanceToCreate,
    MessageToPublish,
    ProcessCommands,
)
from app.runtime.errors import ExpressionError
from app.runtime.feel_runner import INLINE, FeelRunner
from app.runtime.payload import json_size
from app.runtime.results import expression_context, output_variables
from connectors.sdk.errors import ConnectorInputError
from connectors.sdk.inbound import (
    ActivationConditionNotMet,
    AlreadyCorrelated,
    Correlated,
    CorrelationFailed,
    CorrelationResult,
)

DEFAULT_MESSAGE_TTL = dt.timedelta(hours=1)
_MESSAGE_KINDS = {"intermediate_catch_event", "boundary_event", "receive_task"}


class ElementConfigError(ValueError):
    """An element's runtime properties cannot work (a bad TTL, a missing correlation key
    expression); its registration is reported failed with this message."""


@dataclass(frozen=True)
class ElementSettings:
    """The runtime properties of one element (``Keywords`` in Camunda's runtime)."""

    activation_condition: str | None
    consume_unmatched: bool
    result_variable: str | None
    result_expression: str | None
    correlation_key_expression: str | None
    message_id_expression: str | None
    message_ttl: dt.timedelta | None
    synchronous: bool

    @classmethod
    def of(cls, registration: Registration) -> ElementSettings:
        props = registration.properties
        kind = registration.element.kind
        ttl_text = _blank_to_none(props.get("messageTtl"))
        ttl: dt.timedelta | None = None
        if ttl_text is not None:
            try:
                ttl = parse_java_duration(ttl_text)
            except ValueError as exc:
                raise ElementConfigError(f"messageTtl: {exc}") from None
            if ttl < dt.timedelta(0):
                raise ElementConfigError("messageTtl: must not be negative")
        key = _blank_to_none(props.get("correlationKeyExpression"))
        if kind in _MESSAGE_KINDS and key is None:
            raise ElementConfigError("Missing required property correlationKeyExpression")
        return cls(
            activation_condition=_blank_to_none(
                props.get("activationCondition") or props.get("inbound.activationCondition")
            ),
            consume_unmatched=_true(props.get("consumeUnmatchedEvents")),
            result_variable=_blank_to_none(props.get("resultVariable")),
            result_expression=_blank_to_none(props.get("resultExpression")),
            correlation_key_expression=key,
            message_id_expression=_blank_to_none(props.get("messageIdExpression")),
            message_ttl=ttl,
            synchronous=_true(props.get("synchronousResponse")),
        )

    def publish_signature(self, message_name: str | None) -> tuple[Any, ...]:
        return (
            message_name,
            self.result_expression,
            self.result_variable,
            self.correlation_key_expression,
            self.message_id_expression,
            self.message_ttl,
        )


def _blank_to_none(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


@dataclass(frozen=True)
class CorrelationElement:
    registration: Registration
    settings: ElementSettings


@dataclass(frozen=True)
class _Plan:
    """What one event sends to the engine, every expression evaluated."""

    element: CorrelationElement
    variables: dict[str, Any]
    correlation_key: str | None = None
    message_id: str | None = None


class Correlator:
    """Correlates events of one executable's elements through the engine's commands."""

    def __init__(
        self,
        elements: Sequence[CorrelationElement],
        commands: ProcessCommands,
        *,
        default_ttl: dt.timedelta = DEFAULT_MESSAGE_TTL,
        max_variables_bytes: int = 3 * 1024 * 1024 // 2,
        sync_timeout_ms: int = 30_000,
        feel: FeelRunner | None = None,
    ) -> None:
        self.elements = tuple(elements)
        self.feel = feel or INLINE
        self.commands = commands
        self.default_ttl = default_ttl
        self.max_variables_bytes = max_variables_bytes
        self.sync_timeout_ms = sync_timeout_ms

    # -- activation -----------------------------------------------------------------------

    def matching(self, variables: Mapping[str, Any]) -> list[CorrelationElement]:
        """Elements whose activation condition holds; raises ``ConnectorInputError``."""
        found = []
        for element in self.elements:
            condition = element.settings.activation_condition
            if condition is None:
                found.append(element)
                continue
            try:
                value = expressions.evaluate(condition, expression_context(dict(variables)))
            except ExpressionError as exc:
                raise ConnectorInputError(
                    f"Failed to evaluate activation condition against the provided input: {exc}"
                ) from None
            if value is True:
                found.append(element)
        return found

    def pick(self, variables: Mapping[str, Any]) -> CorrelationElement | CorrelationResult:
        try:
            matching = self.matching(variables)
        except ConnectorInputError as exc:
            return CorrelationFailed("INVALID_INPUT", exc.message)
        if not matching:
            consume = any(e.settings.consume_unmatched for e in self.elements)
            return ActivationConditionNotMet(consume=consume)
        if len(matching) == 1:
            return matching[0]
        if not all(e.registration.element.kind in _MESSAGE_KINDS for e in matching):
            reason = "Not all matching elements are message correlation points"
        else:
            signatures = {
                e.settings.publish_signature(e.registration.element.message_name) for e in matching
            }
            if len(signatures) == 1:
                return matching[0]
            ids = ", ".join(f"'{e.registration.element.element_id}'" for e in matching)
            reason = f"Elements {ids} have incompatible properties"
        return CorrelationFailed(
            "INVALID_INPUT", f"Multiple connectors are activated for the same input: {reason}"
        )

    # -- correlation ----------------------------------------------------------------------

    async def correlate(
        self, variables: Mapping[str, Any], message_id: str | None = None
    ) -> tuple[CorrelationResult, CorrelationElement | None]:
        """The result, and the element it went through (None when none was activated)."""
        # Every expression first (in the FEEL runner: off the event loop when long), then
        # the engine command.
        planned = await self.feel.run(self._plan, variables, message_id)
        if not isinstance(planned, _Plan):
            return planned
        try:
            return await self._send(planned), planned.element
        except ConnectorInputError as exc:
            return CorrelationFailed("INVALID_INPUT", exc.message), planned.element

    def _plan(
        self, variables: Mapping[str, Any], message_id: str | None
    ) -> _Plan | tuple[CorrelationResult, CorrelationElement | None]:
        """The activated element and what to send (correlation key, message id, variables),
        or the result when nothing is to be sent."""
        picked = self.pick(variables)
        if not isinstance(picked, CorrelationElement):
            return picked, None
        event = dict(variables)
        settings = picked.settings
        kind = picked.registration.element.kind
        try:
            if kind == "start_event":
                return _Plan(picked, self._variables(event, settings))
            key = self._correlation_key(settings, event, required=kind in _MESSAGE_KINDS)
            if isinstance(key, CorrelationFailed):
                return key, picked
            resolved_id = self._message_id(settings, event, message_id)
            return _Plan(picked, self._variables(event, settings), key, resolved_id)
        except ConnectorInputError as exc:
            return CorrelationFailed("INVALID_INPUT", exc.message), picked
        except ExpressionError as exc:
            return CorrelationFailed("OTHER", str(exc)), picked

    async def _send(self, plan: _Plan) -> CorrelationResult:
        element = plan.element
        registration, settings = element.registration, element.settings
        definition = registration.definition
        info = registration.info()
        kind = registration.element.kind
        tenant = None if definition.tenant_id == "<default>" else definition.tenant_id
        variables = plan.variables
        if kind == "start_event":
            try:
                created = await self.commands.create_process_instance(
                    InstanceToCreate(
                        bpmn_process_id=definition.bpmn_process_id,
                        version=definition.version,
                        variables=variables,
                        tenant_id=tenant,
                        await_result=settings.synchronous,
                        request_timeout_ms=self.sync_timeout_ms if settings.synchronous else None,
                    )
                )
            except EngineError as exc:
                return _engine_failure(exc)
            return Correlated(
                element=info,
                kind="instance_created",
                tenant_id=created.tenant_id,
                process_instance_key=created.process_instance_key,
                result_variables=created.variables if settings.synchronous else None,
            )
        key = plan.correlation_key or ""
        resolved_id = plan.message_id or ""
        name = registration.element.message_name or ""
        if settings.synchronous:
            correlate = getattr(self.commands, "correlate_message", None)
            if correlate is None:
                return CorrelationFailed(
                    "ENGINE",
                    "synchronous message correlation needs the engine's correlate-message "
                    "command, which this engine does not offer",
                    status="UNIMPLEMENTED",
                )
            try:
                result = await correlate(MessageToPublish(name, key, variables, tenant_id=tenant))
            except EngineError as exc:
                return _engine_failure(exc)
            return Correlated(
                element=info,
                kind="message_correlated",
                tenant_id=getattr(result, "tenant_id", definition.tenant_id),
                process_instance_key=getattr(result, "process_instance_key", None),
                message_key=getattr(result, "key", None),
            )
        ttl = settings.message_ttl if settings.message_ttl is not None else self.default_ttl
        try:
            published = await self.commands.publish_message(
                MessageToPublish(
                    name=name,
                    correlation_key=key,
                    variables=variables,
                    message_id=resolved_id or None,
                    time_to_live_ms=int(ttl.total_seconds() * 1000),
                    tenant_id=tenant,
                )
            )
        except EngineError as exc:
            if exc.reason == "ALREADY_EXISTS":
                return AlreadyCorrelated(element=info, message_id=resolved_id)
            return _engine_failure(exc)
        return Correlated(
            element=info,
            kind="message_published",
            tenant_id=published.tenant_id,
            message_key=published.key,
        )

    def _variables(self, event: dict[str, Any], settings: ElementSettings) -> dict[str, Any]:
        variables = output_variables(event, settings.result_variable, settings.result_expression)
        size = json_size(variables)
        if size > self.max_variables_bytes:
            raise ConnectorInputError(
                f"The variables to correlate are {size} bytes, more than the limit of "
                f"{self.max_variables_bytes}",
                code="VARIABLES_TOO_LARGE",
            )
        return variables

    @staticmethod
    def _correlation_key(
        settings: ElementSettings, event: dict[str, Any], *, required: bool
    ) -> str | CorrelationFailed:
        expression = settings.correlation_key_expression
        value: Any = None
        if expression is not None:
            try:
                value = expressions.evaluate(expression, expression_context(event))
            except ExpressionError:
                value = None
        if value is None:
            if required:
                return CorrelationFailed(
                    "INVALID_INPUT",
                    f"Wasn't able to obtain correlation key for expression {expression}",
                )
            return ""
        return _as_text(value)

    @staticmethod
    def _message_id(settings: ElementSettings, event: dict[str, Any], given: str | None) -> str:
        expression = settings.message_id_expression
        if expression is not None:
            try:
                value = expressions.evaluate(expression, expression_context(event))
            except ExpressionError:
                raise ConnectorInputError(
                    f"Message expression could not be evaluated: {expression}"
                ) from None
            return "" if value is None else _as_text(value)
        return given or ""


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _engine_failure(exc: EngineError) -> CorrelationFailed:
    if isinstance(exc, EngineNotConfiguredError):
        return CorrelationFailed("ENGINE", exc.message, status="UNIMPLEMENTED")
    return CorrelationFailed("ENGINE", exc.message, status=exc.reason)
