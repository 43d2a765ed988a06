"""ConnectorRuntime.execute against real connectors defined here: every header, failure class,
retries/backoff rule, error-expression function, timeout, secret masking and size limit."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from app.runtime.executor import MAX_ERROR_MESSAGE_LENGTH, ConnectorRuntime, RuntimeLimits
from app.runtime.history import MemoryHistorySink
from app.runtime.model import Complete, ExecutionRecord, Fail, Job, ThrowError
from app.runtime.secrets_hook import EnvironmentSecretResolver, StaticSecretResolver
from app.secrets.errors import SecretProviderError
from connectors.echo import echo
from connectors.sdk import (
    ConnectorError,
    ConnectorInputError,
    ConnectorRetryError,
    OutboundContext,
    outbound_connector,
)

SECRET = "p4ssw0rd-XYZ"

# -- connectors used by the tests --------------------------------------------------------

calls: dict[str, int] = {}


def _count(name: str) -> None:
    calls[name] = calls.get(name, 0) + 1


class AddInput(BaseModel):
    a: int
    b: int


@outbound_connector(name="Add", type="test:add:1")
def add(data: AddInput) -> dict[str, Any]:
    _count("add")
    return {"sum": data.a + data.b, "thread": threading.current_thread().name}


class RaiseInput(BaseModel):
    kind: str
    message: str = "boom"
    code: str | None = None
    retries: int | None = None
    backoff_ms: int | None = None
    variables: dict[str, Any] | None = None


@outbound_connector(name="Raise", type="test:raise:1")
async def raiser(data: RaiseInput) -> dict[str, Any]:
    _count("raise")
    backoff = timedelta(milliseconds=data.backoff_ms) if data.backoff_ms is not None else None
    if data.kind == "connector":
        raise ConnectorError(data.code or "E", data.message, data.variables)
    if data.kind == "input":
        raise ConnectorInputError(data.message)
    if data.kind == "retry":
        raise ConnectorRetryError(
            data.message, code=data.code or "RETRY", retries=data.retries, backoff=backoff
        )
    if data.kind == "runtime":
        raise RuntimeError(data.message)
    if data.kind == "empty":
        raise ValueError()
    return {"ok": True}


class ReturnInput(BaseModel):
    value: Any = None


@outbound_connector(name="Return", type="test:return:1")
async def returner(data: ReturnInput) -> Any:
    _count("return")
    return data.value


@outbound_connector(name="Context", type="test:context:1")
async def context_reader(context: OutboundContext) -> dict[str, Any]:
    job = context.job
    return {
        "key": job.key,
        "type": job.type,
        "retries": job.retries,
        "bpmnProcessId": job.bpmn_process_id,
        "elementId": job.element_id,
        "tenantId": job.tenant_id,
        "headers": dict(job.custom_headers),
        "variables": dict(context.variables),
    }


never = asyncio.Event()


@outbound_connector(name="Hang", type="test:hang:1", timeout=0.2)
async def hang() -> dict[str, Any]:
    await never.wait()
    return {}


release = threading.Event()


@outbound_connector(name="Block", type="test:block:1", timeout=0.2)
def block() -> dict[str, Any]:
    release.wait(10)
    return {}


@outbound_connector(name="Forever", type="test:forever:1")
async def forever() -> dict[str, Any]:
    await never.wait()
    return {}


CONNECTORS = {
    c.type: c for c in (echo, add, raiser, returner, context_reader, hang, block, forever)
}


@pytest.fixture
def history() -> MemoryHistorySink:
    return MemoryHistorySink()


@pytest.fixture
def runtime(history: MemoryHistorySink) -> Any:
    rt = ConnectorRuntime(
        CONNECTORS,
        secrets=StaticSecretResolver({"PASSWORD": SECRET, "USER": "alice-user"}),
        history=history,
        limits=RuntimeLimits(sync_pool_size=4),
    )
    yield rt
    release.set()
    rt.close()
    release.clear()


async def run(
    runtime: ConnectorRuntime,
    job_type: str = "switchboard:echo:1",
    variables: dict[str, Any] | None = None,
    retries: int = 3,
    **headers: str,
) -> Any:
    job = Job.create(
        type=job_type, variables=variables or {}, custom_headers=headers, retries=retries
    )
    return await runtime.execute(job)


# -- results -------------------------------------------------------------------------------


async def test_no_headers_completes_without_variables(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, variables={"a": 1})
    assert result.outcome == Complete({})


async def test_result_variable_gets_whole_response(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, variables={"a": 1}, resultVariable="r")
    assert result.outcome == Complete({"r": {"a": 1}})


async def test_blank_result_variable_is_ignored(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, variables={"a": 1}, resultVariable="  ")
    assert result.outcome == Complete({})


async def test_result_expression_sees_fields_and_response(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime, variables={"a": 1, "b": {"c": 2}}, resultExpression="={x: a + b.c, y: response.a}"
    )
    assert result.outcome == Complete({"x": 3, "y": 1})


async def test_result_expression_without_equals_sign(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, variables={"a": 1}, resultExpression="{x: a}")
    assert result.outcome == Complete({"x": 1})


async def test_result_variable_and_expression_merge_expression_wins(
    runtime: ConnectorRuntime,
) -> None:
    result = await run(
        runtime,
        variables={"a": 1},
        resultVariable="r",
        resultExpression='={r: "from expression", s: a}',
    )
    assert result.outcome == Complete({"r": "from expression", "s": 1})


async def test_result_variable_and_expression_merge_distinct(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, variables={"a": 1}, resultVariable="r", resultExpression="={s: a}")
    assert result.outcome == Complete({"r": {"a": 1}, "s": 1})


async def test_result_expression_null_gives_no_variables(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, variables={"a": 1}, resultVariable="r", resultExpression="=null")
    assert result.outcome == Complete({"r": {"a": 1}})


async def test_result_expression_on_non_object_response(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime, "test:return:1", {"value": [10, 20]}, resultExpression="={second: response[2]}"
    )
    assert result.outcome == Complete({"second": 20})


async def test_result_variable_with_scalar_response(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:return:1", {"value": "text"}, resultVariable="r")
    assert result.outcome == Complete({"r": "text"})


@pytest.mark.parametrize(
    ("expression", "kind"),
    [("=1", "number"), ('="x"', "string"), ("=[1]", "array"), ("=true", "boolean")],
)
async def test_result_expression_must_yield_context(
    runtime: ConnectorRuntime, expression: str, kind: str
) -> None:
    result = await run(runtime, variables={"a": 1}, resultExpression=expression)
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert f"Result expression must return a JSON object, but got {kind}" in outcome.message
    assert (
        outcome.variables["error"]["type"]
        == "io.camunda.connector.api.error.ConnectorInputException"
    )


async def test_result_expression_syntax_error_is_ordinary_failure(
    runtime: ConnectorRuntime,
) -> None:
    # Camunda's runtime treats a failing result expression like any connector exception.
    result = await run(runtime, variables={"a": 1}, resultExpression="={x: ", retryBackoff="PT7S")
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert outcome.backoff_ms == 7000
    assert outcome.message.startswith("Failed to evaluate expression '{x:'")
    assert (
        outcome.variables["error"]["type"] == "io.camunda.connector.feel.FeelEngineWrapperException"
    )


async def test_sync_connector_runs_in_pool(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:add:1", {"a": 2, "b": 3}, resultVariable="r")
    assert result.outcome.variables["r"]["sum"] == 5
    assert result.outcome.variables["r"]["thread"].startswith("connector")


async def test_connector_sees_job_metadata(runtime: ConnectorRuntime) -> None:
    job = Job.create(
        type="test:context:1",
        variables={"v": "{{secrets.USER}}"},
        custom_headers={"resultVariable": "r", "x": "y"},
        retries=5,
        key=42,
        bpmn_process_id="proc",
        element_id="task",
        tenant_id="t1",
    )
    result = await runtime.execute(job)
    assert result.outcome == Complete(
        {
            "r": {
                "key": 42,
                "type": "test:context:1",
                "retries": 5,
                "bpmnProcessId": "proc",
                "elementId": "task",
                "tenantId": "t1",
                "headers": {"resultVariable": "r", "x": "y"},
                "variables": {"v": "alice-user"},
            }
        }
    )


# -- failures, retries and backoff --------------------------------------------------------


@pytest.mark.parametrize(("retries", "expected"), [(3, 2), (1, 0), (0, 0)])
async def test_connector_error_decrements_retries(
    runtime: ConnectorRuntime, retries: int, expected: int
) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "connector", "code": "404", "message": "not found", "variables": {"x": 1}},
        retries=retries,
        retryBackoff="PT1M",
    )
    assert result.outcome == Fail(
        message="not found",
        retries=expected,
        backoff_ms=60_000,
        variables={
            "error": {
                "type": "io.camunda.connector.api.error.ConnectorException",
                "message": "not found",
                "code": "404",
                "variables": {"x": 1},
            }
        },
        error_code="404",
    )


async def test_failure_without_backoff_header_has_zero_backoff(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:raise:1", {"kind": "runtime", "message": "kaput"})
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms, outcome.message) == (2, 0, "kaput")
    assert outcome.variables == {"error": {"type": "RuntimeError", "message": "kaput"}}
    assert outcome.error_code is None


async def test_exception_without_message_uses_type_name(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:raise:1", {"kind": "empty"})
    assert result.outcome.message == "ValueError"


async def test_input_error_fails_with_zero_retries(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:raise:1", {"kind": "input", "message": "bad url"})
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert (
        outcome.variables["error"]["type"]
        == "io.camunda.connector.api.error.ConnectorInputException"
    )


async def test_binding_error_names_field_and_fails_with_zero_retries(
    runtime: ConnectorRuntime,
) -> None:
    result = await run(runtime, "test:add:1", {"a": "x"})
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "a: " in outcome.message and "b: " in outcome.message


@pytest.mark.parametrize(
    ("variables", "retries", "backoff_ms"),
    [
        ({"retries": 7, "backoff_ms": 1500}, 7, 1500),
        ({"retries": 0}, 0, 5000),
        ({"backoff_ms": 250}, 2, 250),
        ({}, 2, 5000),
    ],
)
async def test_retry_error_overrides(
    runtime: ConnectorRuntime, variables: dict[str, Any], retries: int, backoff_ms: int
) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "retry", "message": "later", **variables},
        retryBackoff="PT5S",
    )
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (retries, backoff_ms)
    assert outcome.error_code == "RETRY"


@pytest.mark.parametrize("value", ["", "5s", "PT", "P1Y", "PT1S "])
async def test_invalid_retry_backoff_fails_before_running(
    runtime: ConnectorRuntime, value: str
) -> None:
    before = calls.get("return", 0)
    result = await run(runtime, "test:return:1", {"value": 1}, retryBackoff=value)
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (0, 0)
    assert "retryBackoff" in outcome.message
    assert (
        outcome.variables["error"]["type"]
        == "io.camunda.connector.runtime.core.error.InvalidBackOffDurationException"
    )
    assert calls.get("return", 0) == before


@pytest.mark.parametrize("value", ["ten minutes", "PT0S", "-PT1M"])
async def test_invalid_job_timeout_fails_before_running(
    runtime: ConnectorRuntime, value: str
) -> None:
    before = calls.get("return", 0)
    result = await run(runtime, "test:return:1", {"value": 1}, jobTimeout=value)
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "jobTimeout" in outcome.message
    assert calls.get("return", 0) == before


@pytest.mark.parametrize("value", ["PT10M", "", " "])
async def test_valid_or_blank_job_timeout_runs(runtime: ConnectorRuntime, value: str) -> None:
    result = await run(runtime, variables={"a": 1}, jobTimeout=value, resultVariable="r")
    assert result.outcome == Complete({"r": {"a": 1}})


async def test_negative_retry_backoff_means_none(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:raise:1", {"kind": "runtime"}, retryBackoff="-PT5S")
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (2, 0)


async def test_unknown_job_type(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "no:such:type", {"a": 1})
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.message == "No connector is registered for job type 'no:such:type'"


async def test_lookup_function_is_accepted(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(lambda t: echo if t == "x" else None, history=history)
    try:
        result = await rt.execute(Job.create(type="x", variables={"a": 1}, custom_headers={}))
        assert result.outcome == Complete({})
        result = await rt.execute(Job.create(type="y"))
        assert isinstance(result.outcome, Fail)
    finally:
        rt.close()


async def test_error_message_is_capped(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:raise:1", {"kind": "runtime", "message": "x" * 10_000})
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert len(outcome.message) == MAX_ERROR_MESSAGE_LENGTH
    assert len(outcome.variables["error"]["message"]) == MAX_ERROR_MESSAGE_LENGTH


# -- timeouts ------------------------------------------------------------------------------


async def test_async_connector_timeout(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:hang:1", retryBackoff="PT2S")
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (2, 2000)
    assert "did not finish within 0.2 seconds" in outcome.message
    assert outcome.variables["error"]["type"] == "switchboard.ConnectorTimeoutError"


async def test_sync_connector_timeout(runtime: ConnectorRuntime) -> None:
    result = await run(runtime, "test:block:1")
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert "Block" in outcome.message


async def test_default_timeout_from_limits(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(CONNECTORS, history=history, limits=RuntimeLimits(default_timeout=0.1))
    try:
        result = await rt.execute(Job.create(type="test:forever:1"))
        assert isinstance(result.outcome, Fail)
        assert "within 0.1 seconds" in result.outcome.message
    finally:
        rt.close()


# -- error expressions ---------------------------------------------------------------------


async def test_error_expression_bpmn_error_after_success(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"status": 500},
        errorExpression='=if status = 500 then bpmnError("SERVER", "status " + string(status), '
        "{st: response.status}) else null",
    )
    assert result.outcome == ThrowError("SERVER", "status 500", {"st": 500})


async def test_error_expression_sees_mapped_variables(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"status": 500},
        resultVariable="r",
        errorExpression='=if r.status = 500 and response.r.status = 500 then bpmnError("X") '
        "else null",
    )
    assert result.outcome == ThrowError("X", "", {})


async def test_error_expression_null_or_empty_keeps_outcome(runtime: ConnectorRuntime) -> None:
    for expression in ("=null", "={}", '=if false then bpmnError("X") else null'):
        result = await run(
            runtime, variables={"a": 1}, resultVariable="r", errorExpression=expression
        )
        assert result.outcome == Complete({"r": {"a": 1}})


async def test_error_expression_null_after_failure_keeps_failure(
    runtime: ConnectorRuntime,
) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "connector", "code": "503"},
        errorExpression="=null",
        retryBackoff="PT1S",
    )
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms, outcome.error_code) == (2, 1000, "503")


async def test_error_expression_sees_error_context(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "connector", "code": "404", "message": "missing", "variables": {"id": 7}},
        errorExpression='=bpmnError("E_" + error.code, error.message + "/" + error.type, '
        "{vars: error.variables, same: response.error.code = error.code, "
        "retries: job.retries})",
        retries=4,
    )
    assert result.outcome == ThrowError(
        "E_404",
        "missing/io.camunda.connector.api.error.ConnectorException",
        {"vars": {"id": 7}, "same": True, "retries": 4},
    )


async def test_error_expression_job_error_defaults(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"a": 1},
        errorExpression='=jobError("custom failure")',
        retryBackoff="PT9S",
    )
    assert result.outcome == Fail(
        message="custom failure", retries=0, backoff_ms=0, variables={"error": "custom failure"}
    )


async def test_error_expression_job_error_with_everything(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "connector", "code": "429"},
        errorExpression='=if error.code = "429" then jobError("rate limited", {limited: true, '
        'error: "overwritten"}, job.retries - 1, duration("PT30S")) else null',
        retries=5,
    )
    assert result.outcome == Fail(
        message="rate limited",
        retries=4,
        backoff_ms=30_000,
        variables={"limited": True, "error": "rate limited"},
    )


async def test_error_expression_job_error_with_backoff_function(
    runtime: ConnectorRuntime,
) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "connector"},
        errorExpression='=jobError("again", {}, 2, backoff(1, duration("PT1S"), 2, '
        'duration("PT10S"), 0))',
    )
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert 1000 <= outcome.backoff_ms <= 10_000


async def test_error_expression_ignore_error_completes(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {"kind": "connector", "code": "404", "message": "gone"},
        errorExpression="=ignoreError({notFound: true, why: error.message})",
    )
    assert result.outcome == Complete({"notFound": True, "why": "gone"})


async def test_error_expression_ignore_error_without_variables(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime, "test:raise:1", {"kind": "runtime"}, errorExpression="=ignoreError()"
    )
    assert result.outcome == Complete({})


async def test_error_expression_ignore_error_replaces_mapped_result(
    runtime: ConnectorRuntime,
) -> None:
    result = await run(
        runtime, variables={"a": 1}, resultVariable="r", errorExpression="=ignoreError({b: 2})"
    )
    assert result.outcome == Complete({"b": 2})


async def test_error_expression_handwritten_context_java_keys(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"a": 1},
        errorExpression='={errorType: "bpmnError", errorCode: "HW", errorMessage: "m"}',
    )
    assert result.outcome == ThrowError("HW", "m", {})


async def test_error_expression_bpmn_error_without_code_is_no_error(
    runtime: ConnectorRuntime,
) -> None:
    result = await run(
        runtime, variables={"a": 1}, resultVariable="r", errorExpression='={errorType: "bpmnError"}'
    )
    assert result.outcome == Complete({"r": {"a": 1}})


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ('="oops"', "Error expression must return a JSON object, but got string"),
        ("={code: 1}", "Error expression must return null, {} or the result of bpmnError()"),
        ('={errorType: "other"}', "Error expression must return null"),
        ("=bpmnError(", "Failed to evaluate expression 'bpmnError('"),
    ],
)
async def test_bad_error_expression_fails_with_zero_retries(
    runtime: ConnectorRuntime, expression: str, fragment: str
) -> None:
    result = await run(runtime, variables={"a": 1}, errorExpression=expression, retryBackoff="PT5S")
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (0, 0)
    assert fragment in outcome.message
    assert outcome.variables["error"]["message"] == outcome.message


async def test_error_expression_can_handle_invalid_backoff(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"a": 1},
        retryBackoff="soon",
        errorExpression='=bpmnError("CONFIG", error.message)',
    )
    outcome = result.outcome
    assert isinstance(outcome, ThrowError)
    assert outcome.code == "CONFIG"
    assert "retryBackoff" in outcome.message


# -- secrets -------------------------------------------------------------------------------


async def test_secrets_are_substituted_for_the_connector(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"auth": "Basic {{secrets.USER}}:{{ secrets.PASSWORD }}", "n": 1},
        resultVariable="r",
    )
    # The engine gets the real values (the connector returned them); history is masked.
    assert result.outcome == Complete({"r": {"auth": f"Basic alice-user:{SECRET}", "n": 1}})
    assert result.record.outcome == Complete({"r": {"auth": "Basic ***:***", "n": 1}})
    assert result.record.output == {"r": {"auth": "Basic ***:***", "n": 1}}
    assert result.record.input == {
        "auth": "Basic {{secrets.USER}}:{{ secrets.PASSWORD }}",
        "n": 1,
    }


async def test_missing_secret_is_input_error(runtime: ConnectorRuntime) -> None:
    before = calls.get("return", 0)
    result = await run(runtime, "test:return:1", {"value": "{{secrets.NOPE}}"}, retryBackoff="PT3S")
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.message == "Secret with name 'NOPE' is not available"
    assert calls.get("return", 0) == before


class DownResolver:
    async def resolve(self, names: set[str], job: Job) -> dict[str, str]:
        raise SecretProviderError("vault", "connection refused")


class PartialResolver:
    async def resolve(self, names: set[str], job: Job) -> dict[str, str]:
        return {}


async def test_secret_provider_down_is_transient(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(CONNECTORS, secrets=DownResolver(), history=history)
    try:
        job = Job.create(
            type="switchboard:echo:1",
            variables={"x": "{{secrets.A}}"},
            custom_headers={"retryBackoff": "PT4S"},
        )
        outcome = (await rt.execute(job)).outcome
        assert isinstance(outcome, Fail)
        assert (outcome.retries, outcome.backoff_ms) == (2, 4000)
        assert outcome.message == "Secret provider 'vault' failed: connection refused"
    finally:
        rt.close()


async def test_resolver_omitting_a_name_is_missing_secret(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(CONNECTORS, secrets=PartialResolver(), history=history)
    try:
        job = Job.create(type="switchboard:echo:1", variables={"x": "{{secrets.A}}"})
        outcome = (await rt.execute(job)).outcome
        assert isinstance(outcome, Fail)
        assert outcome.message == "Secret with name 'A' is not available"
        assert outcome.retries == 0
    finally:
        rt.close()


async def test_environment_resolver(history: MemoryHistorySink) -> None:
    resolver = EnvironmentSecretResolver(environ={"SECRET_TOKEN": "tok-123456"})
    rt = ConnectorRuntime(CONNECTORS, secrets=resolver, history=history)
    try:
        job = Job.create(
            type="switchboard:echo:1",
            variables={"t": "{{secrets.TOKEN}}"},
            custom_headers={"resultVariable": "r"},
        )
        assert (await rt.execute(job)).outcome == Complete({"r": {"t": "tok-123456"}})
        job = Job.create(type="switchboard:echo:1", variables={"t": "{{secrets.OTHER}}"})
        outcome = (await rt.execute(job)).outcome
        assert isinstance(outcome, Fail)
        assert outcome.message == "Secret with name 'OTHER' is not available"
    finally:
        rt.close()


async def test_secrets_masked_in_failure(
    runtime: ConnectorRuntime, history: MemoryHistorySink
) -> None:
    result = await run(
        runtime,
        "test:raise:1",
        {
            "kind": "connector",
            "code": "401",
            "message": "rejected {{secrets.PASSWORD}}",
            "variables": {"body": "echo {{secrets.PASSWORD}}", SECRET: 1},
        },
    )
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.message == "rejected ***"
    assert outcome.variables["error"]["message"] == "rejected ***"
    assert outcome.variables["error"]["variables"] == {"body": "echo ***", "***": 1}
    text = repr(history.records[-1])
    assert SECRET not in text
    assert SECRET not in repr(outcome)


async def test_secrets_masked_in_error_expression_outcomes(runtime: ConnectorRuntime) -> None:
    result = await run(
        runtime,
        variables={"pw": "{{secrets.PASSWORD}}"},
        errorExpression='=bpmnError("X", "got " + pw, {leak: response.pw})',
    )
    assert result.outcome == ThrowError("X", "got ***", {"leak": "***"})
    result = await run(
        runtime,
        variables={"pw": "{{secrets.PASSWORD}}"},
        errorExpression='=jobError("got " + pw, {leak: pw})',
    )
    assert result.outcome == Fail("got ***", 0, 0, {"leak": "***", "error": "got ***"})


async def test_unexpected_exception_log_is_masked(
    runtime: ConnectorRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="app.runtime")
    await run(runtime, "test:raise:1", {"kind": "runtime", "message": "x {{secrets.PASSWORD}}"})
    assert "RuntimeError" in caplog.text
    assert SECRET not in caplog.text


# -- size limits ---------------------------------------------------------------------------


async def test_input_over_limit_fails_before_running(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(CONNECTORS, history=history, limits=RuntimeLimits(max_input_bytes=1024))
    try:
        before = calls.get("return", 0)
        outcome = (
            await rt.execute(Job.create(type="test:return:1", variables={"value": "x" * 2000}))
        ).outcome
        assert isinstance(outcome, Fail)
        assert outcome.retries == 0
        assert "Input variables payload" in outcome.message
        assert "exceeds the limit of 1024 bytes" in outcome.message
        assert calls.get("return", 0) == before
    finally:
        rt.close()


async def test_output_over_limit_is_input_error(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(CONNECTORS, history=history, limits=RuntimeLimits(max_output_bytes=1024))
    try:
        job = Job.create(
            type="test:return:1",
            variables={"value": "x" * 2000},
            custom_headers={"resultVariable": "r"},
        )
        outcome = (await rt.execute(job)).outcome
        assert isinstance(outcome, Fail)
        assert outcome.retries == 0
        assert "Output variables payload" in outcome.message
        assert outcome.error_code == "VARIABLES_TOO_LARGE"
        # No result variable: nothing to check, the job completes.
        job = Job.create(type="test:return:1", variables={"value": "x" * 2000})
        assert (await rt.execute(job)).outcome == Complete({})
        # A BPMN error's variables are limited too (failing the job with retries 0).
        job = Job.create(
            type="test:return:1",
            variables={"value": "x" * 2000},
            custom_headers={"errorExpression": '=bpmnError("B", "m", {v: response})'},
        )
        outcome = (await rt.execute(job)).outcome
        assert isinstance(outcome, Fail)
        assert outcome.retries == 0
    finally:
        rt.close()


# -- history -------------------------------------------------------------------------------


async def test_exactly_one_record_per_execution(
    runtime: ConnectorRuntime, history: MemoryHistorySink
) -> None:
    await run(runtime, variables={"a": 1})
    await run(runtime, "test:raise:1", {"kind": "runtime"})
    await run(runtime, "unknown:type")
    await run(runtime, variables={"a": 1}, retryBackoff="bad")
    assert len(history.records) == 4
    assert [r.outcome.command for r in history.records] == ["complete", "fail", "fail", "fail"]


async def test_record_fields(runtime: ConnectorRuntime, history: MemoryHistorySink) -> None:
    job = Job.create(
        type="switchboard:echo:1",
        variables={"a": 1},
        custom_headers={
            "resultVariable": "r",
            "elementTemplateId": "io.example.T",
            "elementTemplateVersion": "3",
        },
        retries=7,
        key=99,
        worker="w1",
    )
    result = await runtime.execute(job, source="rest")
    record: ExecutionRecord = history.records[-1]
    assert record is result.record
    assert record.source == "rest"
    assert record.connector_type == "switchboard:echo:1"
    assert record.job.key == 99
    assert not hasattr(record.job, "variables")  # metadata only: a JobInfo
    assert record.retries_before == 7
    assert record.worker == "w1"
    assert record.element_template_id == "io.example.T"
    assert record.element_template_version == "3"
    assert record.input == {"a": 1}
    assert record.output == {"r": {"a": 1}}
    assert record.finished_at >= record.started_at
    assert record.duration_ms >= 0
    assert len(record.id) == 36


async def test_history_output_is_truncated(history: MemoryHistorySink) -> None:
    rt = ConnectorRuntime(
        CONNECTORS, history=history, limits=RuntimeLimits(history_max_payload_bytes=512)
    )
    try:
        job = Job.create(
            type="test:return:1",
            variables={"value": "y" * 5000},
            custom_headers={"resultVariable": "r"},
        )
        result = await rt.execute(job)
        assert result.outcome == Complete({"r": "y" * 5000})
        for payload in (result.record.output, result.record.input):
            assert payload["_truncated"] is True
            assert payload["originalBytes"] > 5000
            assert payload["preview"].startswith('{"')
    finally:
        rt.close()


class BrokenSink:
    def submit(self, record: ExecutionRecord) -> None:
        raise RuntimeError("sink down")


async def test_broken_sink_does_not_affect_outcome() -> None:
    rt = ConnectorRuntime(CONNECTORS, history=BrokenSink())
    try:
        job = Job.create(
            type="switchboard:echo:1", variables={"a": 1}, custom_headers={"resultVariable": "r"}
        )
        assert (await rt.execute(job)).outcome == Complete({"r": {"a": 1}})
    finally:
        rt.close()


async def test_concurrent_executions(runtime: ConnectorRuntime, history: MemoryHistorySink) -> None:
    jobs = [
        Job.create(
            type="test:add:1",
            variables={"a": i, "b": 1},
            custom_headers={"resultExpression": "={s: sum}"},
        )
        for i in range(40)
    ]
    results = await asyncio.gather(*(runtime.execute(j) for j in jobs))
    assert [r.outcome for r in results] == [Complete({"s": i + 1}) for i in range(40)]
    assert len(history.records) == 40
