"""resultVariable / resultExpression, as Camunda's connector runtime applies them.

Sources (read, not copied):
- [RH] camunda/connectors connector-runtime/connector-runtime-core/src/main/java/io/camunda/
  connector/runtime/core/ConnectorResultHandler.java (createOutputVariables)
- [FE] camunda/connectors connector-runtime/connector-feel/src/main/java/io/camunda/connector/
  feel/LocalFeelExpressionEvaluator.java (trimExpression, mergeMapVariables) and
  FeelEngineWrapperUtil.java (wrapResponse)
- [JH] camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
  connector/runtime/outbound/job/SpringConnectorJobHandler.java (getConnectorResult)
- [EH] .../outbound/job/OutboundConnectorExceptionHandler.java (handleGenericException)
- [DOC] https://docs.camunda.io/docs/components/connectors/use-connectors/
  ("Variable/response mapping")
- [TPL] camunda/connectors connectors/http/rest/element-templates/http-json-connector.json
"""

from __future__ import annotations

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail
from tests.conformance.connectors import RETURN_TYPE
from tests.conformance.support import ECHO, run

WEATHER = {
    "status": 200,
    "headers": {"content-type": "application/json; charset=utf-8"},
    "body": {"current_weather": {"temperature": 1.0, "windspeed": 10.1}},
}


async def test_no_headers_complete_without_variables(runtime: ConnectorRuntime) -> None:
    # [RH] outputVariables starts empty and is filled only from the two headers.
    assert await run(runtime, ECHO, {"a": 1}) == Complete(variables={})


async def test_result_variable_receives_the_whole_response(runtime: ConnectorRuntime) -> None:
    # [DOC] "If you declare a variable myWeatherResponse in the Result Variable field, the
    # entire response is mapped to the declared variable."
    outcome = await run(runtime, RETURN_TYPE, {"value": WEATHER}, {"resultVariable": "weather"})
    assert outcome == Complete(variables={"weather": WEATHER})


@pytest.mark.parametrize("blank", ["", "   "])
async def test_blank_result_variable_is_ignored(runtime: ConnectorRuntime, blank: str) -> None:
    # [RH] isNotBlank(resultVariableName): an empty modeler field creates no variable.
    outcome = await run(runtime, ECHO, {"a": 1}, {"resultVariable": blank})
    assert outcome == Complete(variables={})


async def test_result_variable_with_scalar_and_null_responses(runtime: ConnectorRuntime) -> None:
    # [RH] outputVariables.put(resultVariableName, responseContent): any value, null included.
    assert await run(runtime, RETURN_TYPE, {"value": "text"}, {"resultVariable": "r"}) == Complete(
        variables={"r": "text"}
    )
    assert await run(runtime, RETURN_TYPE, {"value": None}, {"resultVariable": "r"}) == Complete(
        variables={"r": None}
    )


async def test_result_expression_docs_weather_example(runtime: ConnectorRuntime) -> None:
    # [DOC] the weather example: `= {berlinWeather: response.body.current_weather.temperature,
    # ... berlinWeatherInFahrenheit: ... * 1.8 + 32}`.
    expression = (
        "= {\n  berlinWeather: response.body.current_weather.temperature,\n"
        "  berlinWindSpeed: response.body.current_weather.windspeed,\n"
        "  berlinWeatherInFahrenheit: response.body.current_weather.temperature * 1.8 + 32\n}"
    )
    outcome = await run(runtime, RETURN_TYPE, {"value": WEATHER}, {"resultExpression": expression})
    assert isinstance(outcome, Complete)
    assert outcome.variables["berlinWeather"] == 1.0
    assert outcome.variables["berlinWindSpeed"] == 10.1
    assert outcome.variables["berlinWeatherInFahrenheit"] == pytest.approx(33.8)


@pytest.mark.parametrize(
    "expression",
    [
        '={"a": response.body.x}',  # string key, through `response`
        "{a: body.x}",  # name key, response field at top level, no leading '='
        "  =  {a: body.x}  ",  # [FE] trimExpression: trim, drop one '=', trim again
    ],
)
async def test_response_fields_are_top_level_and_under_response(
    runtime: ConnectorRuntime, expression: str
) -> None:
    # [RH] evaluateToJson(resultExpression, responseContent, wrapResponse(responseContent)):
    # the response's fields at top level, then `response` = the whole response.
    # [DOC] REST example: `{ "bodyReceived": body }`.
    outcome = await run(runtime, ECHO, {"body": {"x": 7}}, {"resultExpression": expression})
    assert outcome == Complete(variables={"a": 7})


async def test_response_key_is_the_whole_response_even_if_a_field_is_named_so(
    runtime: ConnectorRuntime,
) -> None:
    # [FE] mergeMapVariables puts later maps over earlier ones: wrapResponse comes last, so
    # `response` is the whole response, not its field of that name.
    outcome = await run(
        runtime,
        RETURN_TYPE,
        {"value": {"response": "field", "x": 1}},
        {"resultExpression": "={inner: response.response, x: x}"},
    )
    assert outcome == Complete(variables={"inner": "field", "x": 1})


async def test_scalar_response_is_only_reachable_as_response(runtime: ConnectorRuntime) -> None:
    # [DOC] `response` "should only be used when a connector returns atomic values like a
    # string or a number"; [FE] a non-map response contributes no top-level fields.
    outcome = await run(
        runtime, RETURN_TYPE, {"value": 42}, {"resultExpression": "={answer: response}"}
    )
    assert outcome == Complete(variables={"answer": 42})


async def test_result_expression_null_gives_no_variables(runtime: ConnectorRuntime) -> None:
    # [RH] `if (mappedResponseJson != null)`: null adds nothing.
    outcome = await run(runtime, ECHO, {"a": 1}, {"resultExpression": "=null"})
    assert outcome == Complete(variables={})


@pytest.mark.parametrize(
    ("expression", "kind"),
    [("=5", "number"), ('="x"', "string"), ("=[1, 2]", "array"), ("=true", "boolean")],
)
async def test_result_expression_non_context_is_input_error(
    runtime: ConnectorRuntime, expression: str, kind: str
) -> None:
    # [RH] parseJsonVarsAsTypeOrThrow: "Result expression must return a JSON object, but got
    # <kind>" as a ConnectorInputException; [EH] ConnectorInputException -> retries 0.
    outcome = await run(runtime, ECHO, {"a": 1}, {"resultExpression": expression}, retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert f"Result expression must return a JSON object, but got {kind}" in outcome.message
    assert outcome.variables["error"]["message"] == outcome.message


async def test_result_expression_evaluation_failure_is_ordinary_failure(
    runtime: ConnectorRuntime,
) -> None:
    # [FE] a failed evaluation becomes FeelEngineWrapperException (not an input exception);
    # [EH] handleGenericException -> retries = job.retries - 1.
    outcome = await run(runtime, ECHO, {"a": 1}, {"resultExpression": "={a: }"}, retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2


async def test_both_headers_merge_and_the_expression_wins(runtime: ConnectorRuntime) -> None:
    # [RH] put(resultVariable, response) first, then putAll(mappedResponse): on a clash the
    # expression's entry replaces the whole-response variable.
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {"resultVariable": "r", "resultExpression": '={r: "replaced", s: a}'},
    )
    assert outcome == Complete(variables={"r": "replaced", "s": 1})
    outcome = await run(
        runtime, ECHO, {"a": 1}, {"resultVariable": "whole", "resultExpression": "={s: a}"}
    )
    assert outcome == Complete(variables={"whole": {"a": 1}, "s": 1})


async def test_both_headers_with_null_expression_keep_the_variable(
    runtime: ConnectorRuntime,
) -> None:
    # [RH] a null expression result leaves the resultVariable entry alone.
    outcome = await run(
        runtime, ECHO, {"a": 1}, {"resultVariable": "r", "resultExpression": "=null"}
    )
    assert outcome == Complete(variables={"r": {"a": 1}})


async def test_official_rest_template_default_result_expression(
    runtime: ConnectorRuntime,
) -> None:
    # [TPL] the REST template's default resultExpression (feel: required, so the modeler
    # stores it with a leading '='), FEEL line comments included.
    expression = (
        "={\n  myResponseBody: response.body\n  // Use FEEL to extract values, e.g.,:\n"
        "  // myUserId: response.body.post.userId\n}"
    )
    outcome = await run(
        runtime, ECHO, {"body": {"post": {"userId": 5}}}, {"resultExpression": expression}
    )
    assert outcome == Complete(variables={"myResponseBody": {"post": {"userId": 5}}})


async def test_unknown_headers_are_ignored(runtime: ConnectorRuntime) -> None:
    # [JH] only the keyword headers are read; anything else on the task is not the runtime's.
    outcome = await run(
        runtime,
        ECHO,
        {"a": 1},
        {
            "resultVariable": "r",
            "somethingElse": "=not feel at all {",
            "elementTemplateId": "io.camunda.connectors.HttpJson.v2",
            "elementTemplateVersion": "17",
        },
    )
    assert outcome == Complete(variables={"r": {"a": 1}})


async def test_headers_are_not_secret_substituted(runtime: ConnectorRuntime) -> None:
    # [JH] secrets are replaced in the job's variables only (JobHandlerContext binds the
    # variables); the result expression header is used verbatim.
    outcome = await run(
        runtime, ECHO, {"a": 1}, {"resultExpression": '={k: "{{secrets.API_KEY}}"}'}
    )
    assert outcome == Complete(variables={"k": "{{secrets.API_KEY}}"})
