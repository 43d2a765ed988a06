"""Camunda connector functions for error expressions: bpmnError, jobError, ignoreError, backoff.

Parameter names follow camunda/connectors (errorCode, errorMessage, variables, retries,
retryBackoff); ``code`` and ``message`` are accepted as aliases for named arguments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.feel.builtins.registry import builtin, ctx, integer, num, string
from app.feel.errors import FeelEvaluationError
from app.feel.values import EvalState, Problem, type_name

BACKOFF_MIN_DELAY = dt.timedelta(milliseconds=50)
BACKOFF_MAX_DELAY = dt.timedelta(seconds=5)
BACKOFF_FACTOR = Decimal("1.6")
BACKOFF_JITTER = Decimal("0.1")


def _strict(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrong arguments fail the evaluation, as Camunda's connector functions do, instead of
    yielding null: a null error expression would silently complete the job."""

    def call(state: EvalState, *args: Any) -> Any:
        try:
            return function(state, *args)
        except Problem as exc:
            raise FeelEvaluationError(f"{name}: {exc}") from None

    return call


def _bpmn_error(state: EvalState, code: Any, message: Any = None, variables: Any = None) -> Any:
    # Camunda's keys; absent arguments are absent keys.
    result: dict[str, Any] = {"errorType": "bpmnError", "errorCode": string(code, "errorCode")}
    if message is not None:
        result["errorMessage"] = string(message, "errorMessage")
    if variables is not None:
        result["variables"] = ctx(variables, "variables")
    return result


_strict_bpmn_error = _strict("bpmnError", _bpmn_error)
builtin("bpmnError", ["errorCode", "errorMessage", "variables"], required=1)(_strict_bpmn_error)
builtin("bpmnError", ["code", "message", "variables"], required=1)(_strict_bpmn_error)


def _job_error(
    state: EvalState,
    message: Any,
    variables: Any = None,
    retries: Any = None,
    retry_backoff: Any = None,
) -> Any:
    if retry_backoff is not None and type(retry_backoff) is not dt.timedelta:
        raise Problem(
            f"expected days and time duration for 'retryBackoff' but found "
            f"{type_name(retry_backoff)}"
        )
    count = 0 if retries is None else integer(retries, "retries")
    return {
        "errorType": "jobError",
        "errorMessage": string(message, "errorMessage"),
        "variables": {} if variables is None else ctx(variables, "variables"),
        "retries": count,
        "retryBackoff": dt.timedelta(0) if retry_backoff is None else retry_backoff,
    }


_strict_job_error = _strict("jobError", _job_error)
builtin("jobError", ["errorMessage", "variables", "retries", "retryBackoff"], required=1)(
    _strict_job_error
)
builtin("jobError", ["message", "variables", "retries", "retryBackoff"], required=1)(
    _strict_job_error
)


@builtin("ignoreError", ["variables"], required=0)
def ignore_error(state: EvalState, variables: Any = None) -> Any:
    result: dict[str, Any] = {"errorType": "ignoreError"}
    if variables is not None:
        result["variables"] = ctx(variables, "variables")
    return result


def _millis(v: Any, param: str, default: dt.timedelta) -> Decimal:
    if v is None:
        v = default
    if type(v) is not dt.timedelta:
        raise Problem(f"expected days and time duration for '{param}' but found {type_name(v)}")
    return Decimal(v // dt.timedelta(milliseconds=1))


@builtin("backoff", ["attempt", "minDelay", "factor", "maxDelay", "jitterFactor"], required=1)
def backoff(
    state: EvalState,
    attempt: Any,
    min_delay: Any = None,
    factor: Any = None,
    max_delay: Any = None,
    jitter: Any = None,
) -> Any:
    n = integer(attempt, "attempt")
    if n < 1:
        raise Problem(f"'attempt' must be >= 1, but was {n}")
    lo = _millis(min_delay, "minDelay", BACKOFF_MIN_DELAY)
    hi = _millis(max_delay, "maxDelay", BACKOFF_MAX_DELAY)
    f = Decimal(num(factor, "factor")) if factor is not None else BACKOFF_FACTOR
    j = Decimal(num(jitter, "jitterFactor")) if jitter is not None else BACKOFF_JITTER
    if f <= 0:
        raise Problem(f"'factor' must be > 0, but was {f}")
    if lo > hi:
        raise Problem("'minDelay' must be <= 'maxDelay'")
    if j < 0:
        raise Problem(f"'jitterFactor' must be >= 0, but was {j}")
    # Grow in floats: only the clamped value matters, and huge attempts must not blow up.
    try:
        raw = float(lo) * float(f) ** min(n - 1, 10_000)
    except OverflowError:
        raw = float("inf")
    clamped = max(float(lo), min(float(hi), raw))
    spread = float(j) * clamped
    delay = clamped + (random.uniform(-spread, spread) if spread else 0.0)
    return dt.timedelta(milliseconds=max(0, round(delay)))
