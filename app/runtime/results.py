"""Map a connector response to process variables, and read what an error expression decided."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from app.runtime import expressions, jackson
from app.runtime.durations import backoff_millis
from app.runtime.errors import ExpressionResultError, VariablesTooLargeError
from app.runtime.failures import cap
from app.runtime.masking import SecretMasker
from app.runtime.model import Complete, Fail, Outcome, ThrowError
from app.runtime.payload import json_size

BPMN_ERROR = "bpmnError"
JOB_ERROR = "jobError"
IGNORE_ERROR = "ignoreError"
_PREVIEW = 500
CONNECTOR_ERROR = "io.camunda.connector.runtime.core.error.ConnectorError"
T = TypeVar("T")


@dataclass(frozen=True)
class BpmnErrorDecision:
    code: str
    message: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobErrorDecision:
    message: str
    variables: dict[str, Any]
    retries: int
    backoff: timedelta


@dataclass(frozen=True)
class IgnoreErrorDecision:
    variables: dict[str, Any] = field(default_factory=dict)


ErrorDecision = BpmnErrorDecision | JobErrorDecision | IgnoreErrorDecision


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


PREVIEW_MARKER = " Evaluated value: "
"""Starts the part of an expression-result error message that quotes job data."""


def _preview(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _PREVIEW else text[:_PREVIEW] + "...(truncated)"


def _require_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExpressionResultError(
            f"{what} must return a JSON object, but got {_json_kind(value)}."
            f"{PREVIEW_MARKER}{_preview(value)}"
        )
    return value


def expression_context(response: Any, **extra: Any) -> dict[str, Any]:
    """The FEEL context Camunda builds: the response's fields (when it is an object) at top
    level, then ``response`` = the whole response, then ``extra`` (later entries win)."""
    context: dict[str, Any] = dict(response) if isinstance(response, dict) else {}
    context["response"] = response
    context.update(extra)
    return context


def output_variables(
    response: Any, result_variable: str | None, result_expression: str | None
) -> dict[str, Any]:
    """The variables to complete the job with.

    ``resultVariable`` receives the whole response; the ``resultExpression`` result (a
    context, or null for none) is merged over it. Raises ``ExpressionError`` when the
    expression fails and ``ExpressionResultError`` (an input error) when it is not a context.
    """
    variables: dict[str, Any] = {}
    if result_variable:
        variables[result_variable] = response
    if result_expression:
        mapped = expressions.evaluate(result_expression, expression_context(response))
        if mapped is not None:
            variables.update(_require_object(mapped, "Result expression"))
    return variables


def examine_error_expression(
    error_expression: str, response_value: Any, job_retries: int
) -> ErrorDecision | None:
    """Evaluate ``errorExpression``; ``None`` means "no error" (null, ``{}``, or a
    ``bpmnError`` without a code).

    The result is read as Camunda's Jackson mapping reads it into a ``ConnectorError``
    (``app.runtime.jackson``), so hand-written contexts behave as in Camunda. Raises
    ``ExpressionError`` when evaluation fails and ``ExpressionResultError`` when the result
    is not such a context.
    """
    context = expression_context(response_value, job={"retries": job_retries})
    result = expressions.evaluate(error_expression, context, "errorExpression")
    if result is None:
        return None
    result = _require_object(result, "Error expression")
    if not result:
        return None
    if result.get("errorType") not in (BPMN_ERROR, JOB_ERROR, IGNORE_ERROR):
        # Jackson finds no ConnectorError subtype for a missing or unknown type id.
        raise ExpressionResultError(
            "Error expression must return null, {} or the result of bpmnError(), jobError() "
            f"or ignoreError(), but got: {_preview(result)}"
        )
    try:
        return _decision(result)
    except ValueError as exc:
        raise ExpressionResultError(
            f"Cannot parse '{_preview(result)}' as '{CONNECTOR_ERROR}': {exc}"
        ) from None


def _decision(result: dict[str, Any]) -> ErrorDecision | None:
    kind = result["errorType"]
    if kind == BPMN_ERROR:
        code = _field(result, "errorCode", jackson.text)
        if code is None:
            return None  # Camunda drops a BpmnError without a code (hasCode())
        message = _field(result, "errorMessage", jackson.text)
        variables = _field(result, "variables", jackson.mapping)
        return BpmnErrorDecision(code=code, message=message or "", variables=variables or {})
    if kind == JOB_ERROR:
        message = _field(result, "errorMessage", jackson.text)
        variables = _field(result, "variables", jackson.mapping)
        retries = _field(result, "retries", jackson.integer)
        backoff = _field(result, "retryBackoff", jackson.duration)
        if retries is None or (message is None and variables is None):
            # Camunda's JobError without these throws a NullPointerException on the way to
            # FailJob, which fails the job with retries 0.
            missing = "retries" if retries is None else "errorMessage"
            raise ValueError(f"jobError: '{missing}' is missing")
        return JobErrorDecision(
            message=message or "",
            variables=variables or {},
            retries=max(retries, 0),
            backoff=max(backoff or timedelta(0), timedelta(0)),
        )
    if kind == IGNORE_ERROR:
        ignored = _field(result, "variables", jackson.mapping)
        return IgnoreErrorDecision(variables=ignored or {})
    if isinstance(kind, str):
        raise ValueError(
            f"unknown errorType '{kind}' (expected bpmnError, jobError or ignoreError)"
        )
    raise ValueError("missing errorType (the result of bpmnError(), jobError() or ignoreError())")


def _field(result: dict[str, Any], name: str, read: Callable[[Any], T]) -> T:
    try:
        return read(result.get(name))
    except ValueError as exc:
        raise ValueError(f"'{name}': {exc}") from None


def decision_outcome(
    decision: ErrorDecision, masker: SecretMasker, max_output_bytes: int
) -> Outcome:
    """The command an error-expression decision stands for. Messages and variables are
    masked and messages capped; variables over ``max_output_bytes`` raise
    ``VariablesTooLargeError``."""
    if isinstance(decision, BpmnErrorDecision):
        variables = masker.mask_value(decision.variables)
        check_output_size(variables, max_output_bytes)
        return ThrowError(
            code=decision.code, message=cap(masker.mask(decision.message)), variables=variables
        )
    if isinstance(decision, JobErrorDecision):
        message = cap(masker.mask(decision.message))
        variables = {**masker.mask_value(decision.variables), "error": message}
        check_output_size(variables, max_output_bytes)
        return Fail(
            message=message,
            retries=decision.retries,
            backoff_ms=backoff_millis(decision.backoff),
            variables=variables,
        )
    check_output_size(decision.variables, max_output_bytes)
    return Complete(variables=dict(decision.variables))


def check_output_size(variables: dict[str, Any], limit: int) -> int:
    """The JSON size of non-empty result variables; ``VariablesTooLargeError`` over ``limit``.

    Counting stops at the limit: a small value whose JSON would be huge (shared lists) is
    rejected without ever being encoded.
    """
    if not variables:
        return 2
    size = json_size(variables, limit)
    if size > limit:
        raise VariablesTooLargeError(
            f"Output variables payload (more than {limit} bytes) exceeds the limit of {limit} bytes"
        )
    return size
