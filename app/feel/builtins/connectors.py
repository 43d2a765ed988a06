"""Camunda connector functions for error expressions: bpmnError, jobError, ignoreError, backoff.

They follow camunda/connectors connector-runtime/connector-feel/src/main/java/io/camunda/
connector/feel/function/ (BpmnErrorFunction, JobErrorFunction, IgnoreErrorFunction,
BackoffFunction, FunctionHelper) as feel-scala calls them:

- positional calls pick the overload with that many parameters (``jobError()`` has none:
  no function is found, which FEEL turns into null with a warning);
- named calls pick the first overload whose parameters include every given name; the
  parameters not given are null (feel-scala's ``FeelInterpreter.invokeFunction``);
- a null or wrongly typed argument is an exception in Camunda's functions, which fails the
  whole evaluation (so an error expression fails the job with retries 0): it is never
  treated as an absent argument. Only the parameter names Camunda declares exist
  (``bpmnError(code: ...)`` finds no function).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from typing import Any

from app.feel.builtins.registry import builtin
from app.feel.diagnostics import NO_FUNCTION_FOUND, Problem
from app.feel.errors import FeelEvaluationError
from app.feel.values import EvalState, is_number, type_name

BACKOFF_MIN_DELAY = dt.timedelta(milliseconds=50)
BACKOFF_MAX_DELAY = dt.timedelta(seconds=5)
BACKOFF_FACTOR = 1.6
BACKOFF_JITTER = 0.1


class _Absent:
    """An argument not passed at all (a shorter positional overload)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class _NoOverload(Exception):
    pass


def _fail(function: str, message: str) -> FeelEvaluationError:
    return FeelEvaluationError(f"{function}: {message}")


def _string(function: str, value: Any, param: str) -> str:
    if type(value) is not str:
        raise _fail(
            function, f"expected string for parameter '{param}' but found {type_name(value)}"
        )
    return value


def _context(function: str, value: Any, param: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise _fail(
            function, f"expected context for parameter '{param}' but found {type_name(value)}"
        )
    return value


def _number(function: str, value: Any, param: str) -> Any:
    if not is_number(value) or type(value) is bool:
        raise _fail(
            function, f"expected number for parameter '{param}' but found {type_name(value)}"
        )
    return value


def _duration(function: str, value: Any, param: str) -> dt.timedelta:
    if type(value) is not dt.timedelta:
        raise _fail(
            function,
            f"expected days and time duration for parameter '{param}' but found {type_name(value)}",
        )
    return value


def _connector_function(
    name: str, params: list[str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(state, *args)``; positional calls with no argument find no overload."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        def call(state: EvalState, *args: Any) -> Any:
            try:
                return impl(*args)
            except _NoOverload:
                message = f"No function found with name '{name}' and 0 parameters"
                raise Problem(message, NO_FUNCTION_FOUND, prefixed=False) from None

        builtin(name, params, required=0)(call)
        return impl

    return register


@_connector_function("bpmnError", ["errorCode", "errorMessage", "variables"])
def bpmn_error(code: Any = ABSENT, message: Any = ABSENT, variables: Any = ABSENT) -> Any:
    if code is ABSENT:
        raise _NoOverload
    result: dict[str, Any] = {
        "errorType": "bpmnError",
        "errorCode": _string("bpmnError", code, "errorCode"),
    }
    if message is not ABSENT:
        result["errorMessage"] = _string("bpmnError", message, "errorMessage")
    if variables is not ABSENT:
        result["variables"] = _context("bpmnError", variables, "variables")
    return result


@_connector_function("jobError", ["errorMessage", "variables", "retries", "retryBackoff"])
def job_error(
    message: Any = ABSENT, variables: Any = ABSENT, retries: Any = ABSENT, backoff: Any = ABSENT
) -> Any:
    if message is ABSENT:
        raise _NoOverload
    return {
        "errorType": "jobError",
        "errorMessage": _string("jobError", message, "errorMessage"),
        "variables": {} if variables is ABSENT else _context("jobError", variables, "variables"),
        "retries": 0 if retries is ABSENT else _number("jobError", retries, "retries"),
        "retryBackoff": (
            dt.timedelta(0) if backoff is ABSENT else _duration("jobError", backoff, "retryBackoff")
        ),
    }


@_connector_function("ignoreError", ["variables"])
def ignore_error(variables: Any = ABSENT) -> Any:
    result: dict[str, Any] = {"errorType": "ignoreError"}
    if variables is not ABSENT:
        result["variables"] = _context("ignoreError", variables, "variables")
    return result


@_connector_function("backoff", ["attempt", "minDelay", "factor", "maxDelay", "jitterFactor"])
def backoff(
    attempt: Any = ABSENT,
    min_delay: Any = ABSENT,
    factor: Any = ABSENT,
    max_delay: Any = ABSENT,
    jitter: Any = ABSENT,
) -> Any:
    if attempt is ABSENT:
        raise _NoOverload
    n = int(_number("backoff", attempt, "attempt"))  # Java's intValue(): truncated
    lo = _millis(BACKOFF_MIN_DELAY if min_delay is ABSENT else min_delay, "minDelay")
    f = BACKOFF_FACTOR if factor is ABSENT else float(_number("backoff", factor, "factor"))
    hi = _millis(BACKOFF_MAX_DELAY if max_delay is ABSENT else max_delay, "maxDelay")
    j = BACKOFF_JITTER if jitter is ABSENT else float(_number("backoff", jitter, "jitterFactor"))
    if n < 1:
        raise _fail("backoff", f"'attempt' must be >= 1, but was {n}")
    if f <= 0:
        raise _fail("backoff", f"'factor' must be > 0, but was {_java_double(f)}")
    if lo > hi:
        raise _fail("backoff", f"'minDelay' must be <= 'maxDelay', but {lo}ms > {hi}ms")
    if j < 0:
        raise _fail("backoff", f"'jitterFactor' must be >= 0, but was {_java_double(j)}")
    try:
        raw = lo * f ** min(n - 1, 100_000)
    except OverflowError:
        raw = math.inf
    clamped = max(float(lo), min(float(hi), raw))
    spread = 0.0
    if j > 0:
        low, high = -j * clamped, j * clamped
        # ThreadLocalRandom.nextDouble(origin, bound) refuses an empty or infinite range,
        # which Camunda's function hits for a zero delay with jitter: the evaluation fails.
        if not (low < high and high - low < math.inf):
            raise _fail("backoff", "bound must be greater than origin")
        spread = random.uniform(low, high)
    return dt.timedelta(milliseconds=max(0, math.floor(clamped + spread + 0.5)))


def _millis(value: Any, param: str) -> int:
    return _duration("backoff", value, param) // dt.timedelta(milliseconds=1)


def _java_double(value: float) -> str:
    """``value`` as Java prints a double (``0.0``, ``-1.5``, ``-Infinity``)."""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))
