"""errorExpression after success and after failure: its context and the functions bpmnError,
jobError and ignoreError.

Sources (read, not copied):
- [RH] camunda/connectors connector-runtime/connector-runtime-core/src/main/java/io/camunda/
  connector/runtime/core/ConnectorResultHandler.java (examineErrorExpression)
- [CR] .../runtime/core/outbound/ConnectorResult.java (SuccessResult.responseValue: the mapped
  variables when there are any, else the connector's response)
- [JC] .../runtime/core/outbound/ErrorExpressionJobContext.java (`job: {retries}`)
- [JE] .../runtime/core/error/JobError.java (variablesWithErrorMessage),
  .../error/BpmnError.java (hasCode)
- [JH] camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
  connector/runtime/outbound/job/SpringConnectorJobHandler.java (processFinalResult,
  handleConnectorError, prepareThrowBpmnErrorCommand, MAX_ERROR_MESSAGE_LENGTH = 6000)
- [EH] .../outbound/job/OutboundConnectorExceptionHandler.java (exceptionToMap,
  handleFinalResultException: retries 0)
- [FN] camunda/connectors connector-runtime/connector-feel/src/main/java/io/camunda/connector/
  feel/function/{BpmnErrorFunction,JobErrorFunction,IgnoreErrorFunction}.java
- [DOC] https://docs.camunda.io/docs/components/connectors/use-connectors/#bpmn-errors
  ("Error expression", "Function bpmnError()", "Function jobError()", examples)
"""

from __future__ import annotations

from typing import Any

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, ThrowError
from tests.conformance.connectors import RAISE_TYPE, RETURN_TYPE
from tests.conformance.support import ECHO, run

HTTP_ERRORS_TO_BPMN = """
if error.code = "404" then
  bpmnError("404", "Got a 404")
else if error.code = "500" then
  bpmnError("500", "Got a 500")
else if response.body.status = "failed" then
  bpmnError("FAILED", "Action failed", response.body)
else
  null
"""
HTTP_ERRORS_TO_FAIL_JOB = """
if error.code = "404" then
  jobError("Resource not found")
else if error.code = "504" then
  jobError("Gateway timeout", {},job.retries - 1, @"PT30S")
else if response.body.status = "technicalProblem" then
  jobError("Technical Problem", response.body)
else
  null
"""
GENERIC = "if is defined(error) then bpmnError(error.code, error.message) else null"


def failing(code: str, message: str = "boom", variables: dict[str, Any] | None = None) -> dict:
    return {"kind": "connector", "code": code, "message": message, "variables": variables}


# -- bpmnError ----------------------------------------------------------------------------


async def test_docs_http_errors_to_bpmn_errors(runtime: ConnectorRuntime) -> None:
    # [DOC] "HTTP errors to BPMN errors": error.code on failure, response.body on success.
    headers = {"errorExpression": HTTP_ERRORS_TO_BPMN}
    assert await run(runtime, RAISE_TYPE, failing("404"), headers) == ThrowError(
        code="404", message="Got a 404", variables={}
    )
    assert await run(runtime, RAISE_TYPE, failing("500"), headers) == ThrowError(
        code="500", message="Got a 500", variables={}
    )
    body = {"status": "failed", "reason": "x"}
    assert await run(runtime, ECHO, {"body": body}, headers) == ThrowError(
        code="FAILED", message="Action failed", variables=body
    )
    # Neither: the original outcome stands.
    assert await run(runtime, ECHO, {"body": {"status": "ok"}}, headers) == Complete(variables={})
    other = await run(runtime, RAISE_TYPE, failing("418"), headers, retries=3)
    assert isinstance(other, Fail) and other.retries == 2


async def test_docs_response_value_to_bpmn_error(runtime: ConnectorRuntime) -> None:
    # [DOC] "Response value to BPMN error": `if response.body.main.humidity < 0 then ...`.
    expression = (
        'if response.body.main.humidity < 0 then\n  bpmnError("HUMIDITY-FAIL", '
        '"Received invalid humidity")\nelse null'
    )
    outcome = await run(
        runtime, ECHO, {"body": {"main": {"humidity": -3}}}, {"errorExpression": expression}
    )
    assert outcome == ThrowError(code="HUMIDITY-FAIL", message="Received invalid humidity")


async def test_docs_generic_exception_to_bpmn_error(runtime: ConnectorRuntime) -> None:
    # [DOC] "Generic Header to transform a ConnectorException to a BPMN Error".
    outcome = await run(
        runtime,
        RAISE_TYPE,
        failing("HUMIDITY-FAIL", "Received invalid humidity"),
        {"errorExpression": GENERIC},
    )
    assert outcome == ThrowError(code="HUMIDITY-FAIL", message="Received invalid humidity")
    # After a success `error` is not defined: no error.
    outcome = await run(
        runtime, ECHO, {"a": 1}, {"errorExpression": GENERIC, "resultVariable": "r"}
    )
    assert outcome == Complete(variables={"r": {"a": 1}})


async def test_bpmn_error_with_variables(runtime: ConnectorRuntime) -> None:
    # [DOC] "Function bpmnError() with variables"; [JH] ThrowError carries them.
    outcome = await run(
        runtime,
        RAISE_TYPE,
        failing("E", variables={"detail": 7}),
        {"errorExpression": 'bpmnError("CODE", "msg", {d: error.variables.detail, c: error.code})'},
    )
    assert outcome == ThrowError(code="CODE", message="msg", variables={"d": 7, "c": "E"})


async def test_bpmn_error_with_code_only(runtime: ConnectorRuntime) -> None:
    # [FN] BpmnErrorFunction CODE_ONLY: no message; [JH] no errorMessage on the command.
    outcome = await run(runtime, ECHO, {"a": 1}, {"errorExpression": '=bpmnError("ONLY")'})
    assert outcome == ThrowError(code="ONLY", message="", variables={})


async def test_bpmn_error_message_is_capped(runtime: ConnectorRuntime) -> None:
    # [JH] prepareThrowBpmnErrorCommand truncates the message to 6000 characters.
    outcome = await run(runtime, ECHO, {"m": "x" * 7000}, {"errorExpression": 'bpmnError("C", m)'})
    assert isinstance(outcome, ThrowError)
    assert outcome.message == "x" * 6000


async def test_bpmn_error_without_code_is_no_error(runtime: ConnectorRuntime) -> None:
    # [RH] `.filter(error -> bpmnError.hasCode())`: a bpmnError whose code is null is dropped.
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {"errorExpression": '{errorType: "bpmnError", errorMessage: "no code"}'},
    )
    assert outcome == Complete(variables={})


async def test_handwritten_context_with_camunda_keys(runtime: ConnectorRuntime) -> None:
    # [DOC]/[FN] bpmnError() returns {errorType: "bpmnError", errorCode, errorMessage,
    # variables}; [RH] the result is read as a ConnectorError by its `errorType`.
    expression = (
        '{errorType: "bpmnError", errorCode: "HAND", errorMessage: "made", variables: {v: 1}}'
    )
    outcome = await run(runtime, ECHO, {"a": 1}, {"errorExpression": expression})
    assert outcome == ThrowError(code="HAND", message="made", variables={"v": 1})


async def test_bpmn_error_replaces_an_input_error(runtime: ConnectorRuntime) -> None:
    # [JH] processFinalResult examines the error expression for every ErrorResult, including
    # input errors (retries 0).
    outcome = await run(
        runtime,
        RAISE_TYPE,
        {"kind": "input", "message": "bad input"},
        {"errorExpression": 'bpmnError("INPUT", error.message)'},
    )
    assert outcome == ThrowError(code="INPUT", message="bad input", variables={})


# -- the context ----------------------------------------------------------------------------


async def test_failure_context_has_error_and_response_error(runtime: ConnectorRuntime) -> None:
    # [EH] ErrorResult.responseValue = {"error": {type, message, code, variables}}; [RH] it is
    # spread at top level and wrapped as `response`; [JC] `job.retries`.
    expression = (
        'bpmnError("SEEN", error.message, {code: error.code, type: error.type, '
        "vars: error.variables, viaResponse: response.error.code, retries: job.retries})"
    )
    outcome = await run(
        runtime,
        RAISE_TYPE,
        failing("409", "conflict", {"k": "v"}),
        {"errorExpression": expression},
        retries=5,
    )
    assert isinstance(outcome, ThrowError)
    assert outcome.message == "conflict"
    assert outcome.variables["code"] == "409"
    assert outcome.variables["vars"] == {"k": "v"}
    assert outcome.variables["viaResponse"] == "409"
    assert outcome.variables["retries"] == 5
    assert isinstance(outcome.variables["type"], str) and outcome.variables["type"]


async def test_success_context_is_the_mapped_variables(runtime: ConnectorRuntime) -> None:
    # [CR] SuccessResult.responseValue(): the mapped variables when any, so `response` and the
    # top level hold {resultVariable: ...} / the expression's entries, not the raw response.
    expression = 'bpmnError("M", "m", {top: mapped, viaResponse: response.mapped, raw: a})'
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {"resultExpression": "={mapped: a + 1}", "errorExpression": expression},
    )
    assert outcome == ThrowError(
        code="M", message="m", variables={"top": 2, "viaResponse": 2, "raw": None}
    )


async def test_success_context_is_the_raw_response_without_mapping(
    runtime: ConnectorRuntime,
) -> None:
    # [CR] no mapped variables: the connector's own response.
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {"errorExpression": 'bpmnError("R", "r", {top: a, viaResponse: response.a})'},
    )
    assert outcome == ThrowError(code="R", message="r", variables={"top": 1, "viaResponse": 1})


async def test_scalar_response_in_error_expression(runtime: ConnectorRuntime) -> None:
    # [RH] wrapResponse: a scalar response is reachable as `response` only.
    outcome = await run(
        runtime,
        RETURN_TYPE,
        {"value": "denied"},
        {"errorExpression": 'if response = "denied" then bpmnError("DENIED", response) else null'},
    )
    assert outcome == ThrowError(code="DENIED", message="denied")


# -- null / {} / invalid ---------------------------------------------------------------------


@pytest.mark.parametrize("expression", ["=null", "={}", "  "])
async def test_null_or_empty_result_keeps_the_outcome(
    runtime: ConnectorRuntime, expression: str
) -> None:
    # [RH] blank header -> no examination; null or an empty map -> Optional.empty().
    ok = await run(runtime, ECHO, {"a": 1}, {"resultVariable": "r", "errorExpression": expression})
    assert ok == Complete(variables={"r": {"a": 1}})
    failed = await run(
        runtime, RAISE_TYPE, failing("E"), {"errorExpression": expression}, retries=3
    )
    assert isinstance(failed, Fail)
    assert failed.retries == 2
    assert failed.variables["error"]["code"] == "E"


@pytest.mark.parametrize(
    "expression", ['="just a string"', "=42", '={code: "X", message: "no errorType"}']
)
async def test_invalid_result_fails_with_zero_retries(
    runtime: ConnectorRuntime, expression: str
) -> None:
    # [RH] parseJsonVarsAsTypeOrThrow (not a map / no known errorType) raises; [JH] the
    # exception in processFinalResult -> [EH] handleFinalResultException: retries 0, with the
    # `error` variable.
    outcome = await run(runtime, ECHO, {"a": 1}, {"errorExpression": expression}, retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.variables["error"]["message"] == outcome.message


async def test_failing_error_expression_fails_with_zero_retries(
    runtime: ConnectorRuntime,
) -> None:
    # [JH]/[EH] as above, for an expression that does not compile.
    outcome = await run(runtime, ECHO, {"a": 1}, {"errorExpression": "=if then"}, retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert set(outcome.variables) == {"error"}
    assert outcome.variables["error"]["message"]


# -- jobError ---------------------------------------------------------------------------------


async def test_job_error_defaults(runtime: ConnectorRuntime) -> None:
    # [DOC]/[FN] jobError("job failed") = {variables: {}, retries: 0, retryBackoff: PT0S};
    # [JE] variablesWithErrorMessage adds "error": the message.
    outcome = await run(
        runtime, ECHO, {"a": 1}, {"errorExpression": 'jobError("job failed")'}, retries=3
    )
    assert outcome == Fail(
        message="job failed", retries=0, backoff_ms=0, variables={"error": "job failed"}
    )


async def test_job_error_with_everything(runtime: ConnectorRuntime) -> None:
    # [DOC] jobError("job failed", {myVar: myValue}, 2, @"PT30S").
    outcome = await run(
        runtime,
        ECHO,
        {"myValue": "v"},
        {"errorExpression": 'jobError("job failed", {myVar: myValue}, 2, @"PT30S")'},
    )
    assert outcome == Fail(
        message="job failed",
        retries=2,
        backoff_ms=30_000,
        variables={"myVar": "v", "error": "job failed"},
    )


async def test_job_error_with_retries_only(runtime: ConnectorRuntime) -> None:
    # [DOC] jobError("job failed", {myVar: myValue}, 2) -> retryBackoff PT0S.
    outcome = await run(
        runtime,
        ECHO,
        {"myValue": 1},
        {"errorExpression": 'jobError("job failed", {myVar: myValue}, 2)'},
    )
    assert outcome == Fail(
        message="job failed", retries=2, backoff_ms=0, variables={"myVar": 1, "error": "job failed"}
    )


async def test_docs_http_errors_to_fail_job(runtime: ConnectorRuntime) -> None:
    # [DOC] "HTTP errors to fail job".
    headers = {"errorExpression": HTTP_ERRORS_TO_FAIL_JOB}
    assert await run(runtime, RAISE_TYPE, failing("404"), headers) == Fail(
        message="Resource not found", retries=0, variables={"error": "Resource not found"}
    )
    assert await run(runtime, RAISE_TYPE, failing("504"), headers, retries=4) == Fail(
        message="Gateway timeout",
        retries=3,
        backoff_ms=30_000,
        variables={"error": "Gateway timeout"},
    )
    body = {"status": "technicalProblem", "id": 9}
    assert await run(runtime, ECHO, {"body": body}, headers) == Fail(
        message="Technical Problem",
        retries=0,
        variables={**body, "error": "Technical Problem"},
    )


async def test_job_error_overwrites_a_user_error_variable(runtime: ConnectorRuntime) -> None:
    # [JE] "If the variables map already contains an "error" key, it will be overwritten".
    outcome = await run(
        runtime, ECHO, {"a": 1}, {"errorExpression": 'jobError("real", {error: "mine", k: 1})'}
    )
    assert isinstance(outcome, Fail)
    assert outcome.variables == {"error": "real", "k": 1}


async def test_job_error_message_is_capped(runtime: ConnectorRuntime) -> None:
    # [JH] prepareFailJobCommand truncates the FailJob message to 6000 characters.
    outcome = await run(runtime, ECHO, {"m": "y" * 6500}, {"errorExpression": "jobError(m)"})
    assert isinstance(outcome, Fail)
    assert outcome.message == "y" * 6000


async def test_job_error_negative_retries_are_clamped(runtime: ConnectorRuntime) -> None:
    # [JH] newFailCommand(job).retries(Math.max(retries, 0)).
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {"errorExpression": 'jobError("m", {}, job.retries - 5)'},
        retries=2,
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0


async def test_job_error_with_backoff_function(runtime: ConnectorRuntime) -> None:
    # [FN] BackoffFunction: backoff(attempt) = 50 ms * 1.6^(attempt-1), capped at 5 s, +-10 %.
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {"errorExpression": 'jobError("m", {}, job.retries - 1, backoff(3))'},
        retries=3,
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert 115 <= outcome.backoff_ms <= 141  # 128 ms +- 10 %


# -- ignoreError ------------------------------------------------------------------------------


async def test_ignore_error_completes_with_its_variables(runtime: ConnectorRuntime) -> None:
    # [FN] ignoreError(variables); [JH] handleIgnoreError completes with ignoreError.variables.
    outcome = await run(
        runtime,
        RAISE_TYPE,
        failing("E"),
        {"resultVariable": "r", "errorExpression": "ignoreError({handled: error.code})"},
    )
    assert outcome == Complete(variables={"handled": "E"})


async def test_ignore_error_without_variables(runtime: ConnectorRuntime) -> None:
    # [FN] IgnoreErrorFunction NO_ARGS; [CR] null variables -> Map.of().
    outcome = await run(runtime, RAISE_TYPE, failing("E"), {"errorExpression": "ignoreError()"})
    assert outcome == Complete(variables={})


async def test_handwritten_job_error_context_with_camunda_keys(runtime: ConnectorRuntime) -> None:
    # [DOC] jobError(...) = {errorType: "jobError", errorMessage, variables, retries,
    # retryBackoff}; [RH] read as a JobError by `errorType`.
    expression = (
        '{errorType: "jobError", errorMessage: "by hand", variables: {v: 1}, retries: 1, '
        'retryBackoff: @"PT2S"}'
    )
    outcome = await run(runtime, ECHO, {"a": 1}, {"errorExpression": expression})
    assert outcome == Fail(
        message="by hand", retries=1, backoff_ms=2000, variables={"v": 1, "error": "by hand"}
    )


@pytest.mark.parametrize(
    "expression",
    ['bpmnError(404, "m")', 'jobError("m", {}, 1, "PT5S")', 'bpmnError("E", "m", "not a context")'],
)
async def test_connector_function_with_wrong_arguments_fails_with_no_retries(
    runtime: ConnectorRuntime, expression: str
) -> None:
    # [FN] the functions accept only their declared types; a failed evaluation of the error
    # expression is an input error [EH handleFinalResultException: retries 0]. A null here
    # would silently complete the job.
    outcome = await run(runtime, ECHO, {"a": 1}, {"errorExpression": expression})
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "Failed to evaluate expression" in outcome.message


@pytest.mark.parametrize(
    "expression",
    [
        "bpmnError(null)",
        'bpmnError("E", null)',
        'bpmnError("E", "m", null)',
        "jobError(null)",
        'jobError("m", null)',
        'jobError("m", {}, null)',
        'jobError("m", {}, 1, null)',
        'jobError("m", {}, "1")',
        "ignoreError(null)",
        "jobError(job.no_such_field)",  # a null from a missing value is still a null
        # named arguments: feel-scala passes null for the ones not given
        'jobError(errorMessage: "m", retries: 1)',
        "backoff(attempt: 2, jitterFactor: 0)",
    ],
)
async def test_null_or_wrongly_typed_argument_fails_the_job_with_no_retries(
    runtime: ConnectorRuntime, expression: str
) -> None:
    # [FN] FunctionHelper.toString/toContext/toNumber/toDuration throw for a ValNull, and
    # JobErrorFunction casts each argument; feel-scala's FeelInterpreter.invokeFunction passes
    # ValNull for a named parameter not given. The exception fails the evaluation
    # (feel-scala FeelEngine.evaluate), which [EH handleFinalResultException] turns into a
    # failure with retries 0. The argument is never treated as absent.
    outcome = await run(
        runtime, RAISE_TYPE, failing("E"), {"errorExpression": expression}, retries=3
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.message.startswith("Failed to evaluate expression"), outcome.message
    assert (
        outcome.variables["error"]["type"] == "io.camunda.connector.feel.FeelEngineWrapperException"
    )


async def test_connector_functions_under_unknown_parameter_names_are_not_found(
    runtime: ConnectorRuntime,
) -> None:
    # [FN] only errorCode/errorMessage/variables exist: feel-scala finds no function for
    # `code:`, which it reports as null (a warning), so the job's own outcome stands.
    outcome = await run(
        runtime, RAISE_TYPE, failing("E"), {"errorExpression": 'bpmnError(code: "X")'}, retries=3
    )
    assert isinstance(outcome, Fail) and outcome.retries == 2


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Jackson ignores unknown keys (FAIL_ON_UNKNOWN_PROPERTIES off): `code` is not
        # errorCode, so this BpmnError has no code and is dropped (BpmnError.hasCode)
        ('{errorType: "bpmnError", code: "X", message: "m"}', None),
        # scalars are coerced to String, single-element arrays unwrapped
        ('{errorType: "bpmnError", errorCode: 404}', ThrowError(code="404", message="")),
        ('{errorType: "bpmnError", errorCode: ["A"], errorMessage: true}', ThrowError("A", "true")),
        (
            '{errorType: "bpmnError", errorCode: "A", variables: [{v: 1}]}',
            ThrowError("A", "", {"v": 1}),
        ),
        # Integer retries: fractions truncated, numeric strings read; Duration from text or
        # a number of seconds
        (
            '{errorType: "jobError", errorMessage: "m", retries: 2.9, retryBackoff: "PT3S"}',
            Fail("m", 2, 3000, {"error": "m"}),
        ),
        (
            '{errorType: "jobError", errorMessage: "m", retries: "1", retryBackoff: 2}',
            Fail("m", 1, 2000, {"error": "m"}),
        ),
        ('{errorType: "ignoreError", variables: null}', Complete({})),
    ],
)
async def test_handwritten_context_is_read_as_camundas_jackson_mapping_reads_it(
    runtime: ConnectorRuntime, expression: str, expected: Any
) -> None:
    # [RH] parseJsonVarsAsTypeOrThrow(json, ConnectorError.class) with the connectors'
    # object mapper (connector-commons/connector-object-mapper/.../
    # ConnectorsObjectMapperSupplier.java: FAIL_ON_UNKNOWN_PROPERTIES disabled,
    # UNWRAP_SINGLE_VALUE_ARRAYS enabled, JavaTimeModule); records [JE].
    outcome = await run(
        runtime, RAISE_TYPE, failing("E"), {"errorExpression": expression}, retries=3
    )
    if expected is None:
        assert isinstance(outcome, Fail) and outcome.retries == 2  # no error: outcome stands
    else:
        assert outcome == expected


@pytest.mark.parametrize(
    "expression",
    [
        '{errorType: "bpmnError", errorCode: {a: 1}}',  # an object is no String
        '{errorType: "bpmnError", errorCode: ["A", "B"]}',  # only single values unwrap
        '{errorType: "bpmnError", errorCode: "A", variables: "v"}',
        '{errorType: "jobError", errorMessage: "m", retries: "many"}',
        '{errorType: "jobError", errorMessage: "m", retries: 1, retryBackoff: "soon"}',
        # JobError without retries (or without message and variables) meets a
        # NullPointerException on its way to FailJob in Camunda: retries 0 as well
        '{errorType: "jobError", errorMessage: "m"}',
        '{errorType: "jobError", retries: 1}',
    ],
)
async def test_handwritten_context_jackson_refuses_fails_with_no_retries(
    runtime: ConnectorRuntime, expression: str
) -> None:
    # [RH] a JsonProcessingException becomes a ConnectorInputException; [EH] retries 0.
    outcome = await run(
        runtime, RAISE_TYPE, failing("E"), {"errorExpression": expression}, retries=3
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.variables["error"]["type"] == (
        "io.camunda.connector.api.error.ConnectorInputException"
    )
