"""Connector functions for error expressions: bpmnError, jobError, ignoreError, backoff."""

from __future__ import annotations

import pytest

from app.feel import FeelEvaluationError, compile, evaluate

ERROR_CTX = {
    "error": {"code": "404", "message": "not found", "type": "io", "variables": {}},
    "job": {"retries": 3},
    "response": {"status": 404},
}


# Keys as in camunda/connectors' BpmnErrorFunction / JobErrorFunction / IgnoreErrorFunction:
# errorType, errorCode, errorMessage, variables; absent arguments are absent keys.


def test_bpmn_error() -> None:
    assert evaluate('bpmnError("NOT_FOUND", "missing")') == {
        "errorType": "bpmnError",
        "errorCode": "NOT_FOUND",
        "errorMessage": "missing",
    }
    assert evaluate('bpmnError("ONLY")') == {"errorType": "bpmnError", "errorCode": "ONLY"}


def test_bpmn_error_with_variables_and_named_arguments() -> None:
    expected = {
        "errorType": "bpmnError",
        "errorCode": "E1",
        "errorMessage": "m",
        "variables": {"a": 1},
    }
    assert evaluate('bpmnError("E1", "m", {a: 1})') == expected
    assert evaluate('bpmnError(errorCode: "E1", errorMessage: "m", variables: {a: 1})') == expected
    # Only Camunda's parameter names exist: no function is found, which FEEL makes null.
    result = compile('bpmnError(code: "E1", message: "m", variables: {a: 1})').evaluate_detailed()
    assert result.value is None
    assert "No function found with name 'bpmnError'" in result.warnings[0].message


def test_bpmn_error_with_wrong_types_fails_the_evaluation() -> None:
    # As in Camunda: a null here would make the error expression silently complete the job.
    with pytest.raises(FeelEvaluationError, match=r"bpmnError: .*'variables'"):
        compile('bpmnError("E1", "m", "not a context")').evaluate_detailed()
    with pytest.raises(FeelEvaluationError, match="expected string for parameter 'errorCode'"):
        evaluate('bpmnError(1, "m")')


def test_error_expression_as_users_write_it() -> None:
    expr = (
        '= if error.code = "404" then bpmnError("NOT_FOUND", error.message) '
        'else if job.retries > 0 then jobError(error.message, {}, job.retries - 1, @"PT10S") '
        "else null"
    )
    assert evaluate(expr, ERROR_CTX)["errorCode"] == "NOT_FOUND"
    other = {**ERROR_CTX, "error": {**ERROR_CTX["error"], "code": "500"}}
    assert evaluate(expr, other) == {
        "errorType": "jobError",
        "errorMessage": "not found",
        "variables": {},
        "retries": 2,
        "retryBackoff": "PT10S",
    }


def test_job_error_defaults() -> None:
    assert evaluate('jobError("boom")') == {
        "errorType": "jobError",
        "errorMessage": "boom",
        "variables": {},
        "retries": 0,
        "retryBackoff": "P0D",  # feel-scala's text for a zero duration
    }


def test_job_error_named_arguments_pick_the_shortest_overload() -> None:
    # feel-scala picks the first overload whose parameters include every name given and
    # passes null for the others (FeelInterpreter.invokeFunction); Camunda's JobErrorFunction
    # casts each one, so a skipped middle parameter fails the evaluation.
    value = evaluate('jobError(errorMessage: "boom")')
    assert value["retries"] == 0 and value["retryBackoff"] == "P0D" and value["variables"] == {}
    value = evaluate('jobError(errorMessage: "boom", variables: {}, retries: 5)')
    assert value["retries"] == 5 and value["retryBackoff"] == "P0D"
    with pytest.raises(FeelEvaluationError, match=r"jobError: .*'variables' but found null"):
        compile('jobError(errorMessage: "boom", retries: 5)').evaluate_detailed()
    result = compile('jobError(message: "boom", retryBackoff: @"PT1M")').evaluate_detailed()
    assert result.value is None and "No function found" in result.warnings[0].message


def test_job_error_rejects_a_non_duration_backoff() -> None:
    with pytest.raises(FeelEvaluationError, match=r"jobError: .*'retryBackoff'"):
        compile('jobError("boom", {}, 1, "PT1M")').evaluate_detailed()


def test_ignore_error() -> None:
    assert evaluate("ignoreError()") == {"errorType": "ignoreError"}
    assert evaluate("ignoreError({a: 1})") == {"errorType": "ignoreError", "variables": {"a": 1}}
    assert evaluate("ignoreError(variables: {b: 2})")["variables"] == {"b": 2}


@pytest.mark.parametrize(
    ("attempt", "expected_ms"),
    [(1, 1000), (2, 2000), (3, 4000), (6, 32000), (7, 60000), (1000, 60000)],
)
def test_backoff_without_jitter(attempt: int, expected_ms: int) -> None:
    expr = f'backoff({attempt}, @"PT1S", 2, @"PT1M", 0)'
    seconds = expected_ms // 1000
    assert evaluate(expr) == (f"PT{seconds}S" if seconds < 60 else "PT1M")


def test_backoff_defaults_and_jitter_bounds() -> None:
    # defaults: minDelay 50ms, factor 1.6, maxDelay 5s, jitterFactor 0.1 (as camunda/connectors)
    for _ in range(50):
        value = compile("backoff(1)").evaluate_raw()
        assert 45 <= value.total_seconds() * 1000 <= 55
        value = compile("backoff(50)").evaluate_raw()
        assert 4500 <= value.total_seconds() * 1000 <= 5500
    value = compile('backoff(3, @"PT0.05S", 1.6, @"PT5S", 0)').evaluate_raw()
    assert value.total_seconds() * 1000 == 128


@pytest.mark.parametrize(
    "expr",
    [
        "backoff(0)",
        'backoff(1, @"PT1S", 0)',
        'backoff(1, @"PT10S", 2, @"PT1S")',
        'backoff(1, @"PT1S", 2, @"PT10S", -1)',
        'backoff("1")',
    ],
)
def test_backoff_rejects_bad_arguments(expr: str) -> None:
    # camunda/connectors LocalFeelExpressionEvaluatorExpressionEvaluationTest
    # (backoffFunctionShouldThrowWhenAttemptIsZero, ...): the evaluation fails.
    with pytest.raises(FeelEvaluationError, match="backoff: "):
        compile(expr).evaluate_detailed()


def test_backoff_result_feeds_job_error() -> None:
    value = evaluate('jobError("x", {}, 2, backoff(2, @"PT1S", 3, @"PT1M", 0))')
    assert value["retryBackoff"] == "PT3S"
