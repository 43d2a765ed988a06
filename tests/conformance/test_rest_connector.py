"""The REST connector (io.camunda:http-json:1) through the runtime, against a loopback server:
output shape, error mapping, and jobs as the official template builds them.

Sources (read, not copied):
- [TPL] camunda/connectors connectors/http/rest/element-templates/http-json-connector.json
  (io.camunda.connectors.HttpJson.v2: default values, headers, resultExpression default)
- [RES] camunda/connectors connectors/http/http-base/src/main/java/io/camunda/connector/http/
  base/model/HttpCommonResult.java (status, headers, body, reason; example `{ orderId:
  body.order.id }`) and HttpService.java
- [MAP] camunda/connectors connector-commons/http-client/src/main/java/io/camunda/connector/
  http/client/exception/ConnectorExceptionMapper.java (code = status as string, message =
  reason phrase, variables {response: {headers, body}}) and utils/HeadersHelper.java
  (flattenHeaders: one value -> string, several -> list)
- [CLI] .../http/client/client/apache/CustomApacheHttpClient.java (timeouts and I/O errors ->
  "408") and CustomResponseHandler.java (status >= 400 is an error)
- [DOC] https://docs.camunda.io/docs/components/connectors/protocol/rest/ ("Response",
  "Error handling" with the `error` variable example, "Content-Type")
"""

from __future__ import annotations

import socket
from typing import Any

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, ThrowError
from connectors.http_json import TYPE as REST_TYPE
from tests.conformance.http_server import ERROR_BODY, JSON_BODY, HttpServer
from tests.conformance.support import SECRETS, run

TEMPLATE_RESULT_EXPRESSION = (
    "={\n  myResponseBody: response.body\n  // Use FEEL to extract values, e.g.,:\n"
    "  // myUserId: response.body.post.userId\n}"
)


def template_job(url: str, **overrides: Any) -> dict[str, Any]:
    """Variables the modeler sends for the official template's defaults plus a URL ([TPL])."""
    variables: dict[str, Any] = {
        "authentication": {"type": "noAuth"},
        "method": "GET",
        "url": url,
        "followRedirects": False,
        "documentReturnFormat": {"choice": "JSON"},
        "connectionTimeoutInSeconds": 20,
        "readTimeoutInSeconds": 20,
    }
    variables.update(overrides)
    return variables


TEMPLATE_HEADERS = {
    "elementTemplateId": "io.camunda.connectors.HttpJson.v2",
    "elementTemplateVersion": "17",
    "retryBackoff": "PT30S",
}


async def test_template_defaults_complete_with_the_documented_shape(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [TPL] defaults + resultVariable + the default resultExpression; [RES]/[DOC] "Response":
    # status, headers, body (JSON parsed), reason; [MAP] header names keep their case, a
    # repeated header becomes a list.
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/json")),
        {
            **TEMPLATE_HEADERS,
            "resultVariable": "result",
            "resultExpression": TEMPLATE_RESULT_EXPRESSION,
        },
    )
    assert isinstance(outcome, Complete)
    assert set(outcome.variables) == {"result", "myResponseBody"}
    assert outcome.variables["myResponseBody"] == JSON_BODY
    result = outcome.variables["result"]
    assert result["status"] == 200
    assert result["reason"] == "OK"
    assert result["body"] == JSON_BODY
    assert result["headers"]["Content-Type"] == "application/json"
    assert result["headers"]["X-Multi"] == ["one", "two"]


async def test_result_expression_example_of_http_common_result(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [RES] @DataExample(feel = "= { orderId: body.order.id }").
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/json")),
        {"resultExpression": "= { orderId: body.order.id }"},
    )
    assert outcome == Complete(variables={"orderId": "123"})


async def test_post_json_body_query_and_headers(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [DOC] "If you do not set the Content-Type header ... automatically set the Content-Type
    # to application/json"; queryParameters and headers are FEEL maps.
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(
            http_server.url("/echo"),
            method="POST",
            body={"temp": 25, "humidity": 44},
            queryParameters={"q": "Berlin", "units": "metric"},
            headers={"X-Custom": "yes"},
        ),
        {"resultExpression": "={seen: body}"},
    )
    assert isinstance(outcome, Complete)
    seen = outcome.variables["seen"]
    assert seen["method"] == "POST"
    assert seen["body"] == {"temp": 25, "humidity": 44}
    assert seen["query"] == {"q": "Berlin", "units": "metric"}
    assert seen["headers"]["x-custom"] == "yes"
    assert seen["headers"]["content-type"].startswith("application/json")


async def test_secrets_in_authentication_reach_the_server(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [DOC] REST "Bearer Token": `{{secrets.REST_BEARER_TOKEN}}`; the connector receives the
    # resolved value.
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(
            http_server.url("/echo"),
            authentication={"type": "bearer", "token": "{{secrets.API_KEY}}"},
        ),
        {"resultExpression": "={auth: body.headers.authorization}"},
    )
    assert outcome == Complete(variables={"auth": f"Bearer {SECRETS['API_KEY']}"})


async def test_text_and_empty_bodies(runtime: ConnectorRuntime, http_server: HttpServer) -> None:
    # [RES] without documentReturnFormat (templates up to v16): a body that is not JSON stays
    # text; an empty body is null (HttpCommonResultMapper.deserializeBody).
    legacy = {"documentReturnFormat": None}
    text = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/text"), **legacy),
        {"resultVariable": "r"},
    )
    assert isinstance(text, Complete)
    assert text.variables["r"]["body"] == "hello, world"
    empty = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/empty"), **legacy),
        {"resultVariable": "r"},
    )
    assert isinstance(empty, Complete)
    assert empty.variables["r"]["status"] == 204
    assert empty.variables["r"]["body"] is None


async def test_json_return_format_fails_on_text_and_empty_bodies(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # The template's default documentReturnFormat {choice: JSON} (v17): camunda/connectors
    # connector-runtime/connector-runtime-core/.../document/DocumentReturnProcessor.java
    # parseJson fails an empty or non-JSON payload, an ordinary failure.
    text = await run(runtime, REST_TYPE, template_job(http_server.url("/text")), retries=3)
    assert isinstance(text, Fail)
    assert text.retries == 2
    assert text.message.startswith("JSON response format selected but payload is not valid JSON")
    empty = await run(runtime, REST_TYPE, template_job(http_server.url("/empty")), retries=3)
    assert isinstance(empty, Fail)
    assert empty.retries == 2
    assert empty.message == (
        "JSON response format selected but payload was empty or could not be parsed."
    )


async def test_error_status_fails_with_the_documented_error_variable(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [DOC] "Error handling": error = {code: "400", variables: {response: {headers, body}},
    # message: "Bad Request", type: ...}; [MAP] code = status string, message = reason.
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/status/400")),
        TEMPLATE_HEADERS,
        retries=3,
    )
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (2, 30_000)
    error = outcome.variables["error"]
    assert error["code"] == "400"
    assert error["message"] == "Bad Request"
    assert error["variables"]["response"]["body"] == ERROR_BODY
    assert error["variables"]["response"]["headers"]["Content-Type"] == "application/json"
    assert isinstance(error["type"], str)


async def test_docs_error_handling_expression(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [DOC] "Error handling" expression (the docs compare `.temp`, but their example body's
    # field is `temperature`; the field name is adjusted, the shape is the documented one).
    expression = (
        'if matches(error.code, "400") and error.variables.response.body.temperature = 36\n'
        'then bpmnError("Too hot", error.variables.response.body.message, '
        "error.variables.response.body)\nelse null"
    )
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/status/400")),
        {"errorExpression": expression},
    )
    assert outcome == ThrowError(
        code="Too hot", message="My custom error message", variables=ERROR_BODY
    )


async def test_not_found_to_bpmn_error_and_500_keeps_failing(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [DOC] use-connectors "HTTP errors to BPMN errors" applied to the REST connector.
    expression = '=if error.code = "404" then bpmnError("NOT_FOUND", error.message) else null'
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/status/404")),
        {"errorExpression": expression},
    )
    assert outcome == ThrowError(code="NOT_FOUND", message="Not Found", variables={})
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/status/500")),
        {"errorExpression": expression},
        retries=2,
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 1
    assert outcome.variables["error"]["code"] == "500"


async def test_text_error_body_stays_text(
    runtime: ConnectorRuntime, http_server: HttpServer
) -> None:
    # [MAP] an error body that is not JSON is kept as a string.
    outcome = await run(runtime, REST_TYPE, template_job(http_server.url("/status-text/503")))
    assert isinstance(outcome, Fail)
    error = outcome.variables["error"]
    assert error["code"] == "503"
    assert error["variables"]["response"]["body"] == "plain failure"


async def test_read_timeout_is_code_408(runtime: ConnectorRuntime, http_server: HttpServer) -> None:
    # [CLI] SocketTimeoutException -> ConnectorException("408", "The request timed out...").
    outcome = await run(
        runtime,
        REST_TYPE,
        template_job(http_server.url("/slow"), readTimeoutInSeconds=1),
        retries=3,
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert outcome.variables["error"]["code"] == "408"
    assert "timed out" in outcome.message


async def test_connection_refused_is_code_408(runtime: ConnectorRuntime) -> None:
    # [CLI] other IOException -> ConnectorException("408", "An error occurred while executing
    # the request, or the connection was aborted").
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = await run(runtime, REST_TYPE, template_job(f"http://127.0.0.1:{port}/x"), retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert outcome.variables["error"]["code"] == "408"


async def test_body_serialisation_rules(runtime: ConnectorRuntime, http_server: HttpServer) -> None:
    # camunda/connectors connector-commons/http-client .../builder/parts/
    # ApacheRequestBodyBuilder.java: a string body is sent as is, a map as JSON (nulls dropped
    # with ignoreNullValues); ApacheRequestHeadersBuilder.java: Content-Type defaults to
    # application/json whenever a body is sent; GET sends no body (supportsBody).
    async def seen(**overrides: Any) -> dict[str, Any]:
        outcome = await run(
            runtime,
            REST_TYPE,
            template_job(http_server.url("/echo"), **overrides),
            {"resultExpression": "={seen: body}"},
        )
        assert isinstance(outcome, Complete)
        return outcome.variables["seen"]

    raw = await seen(method="POST", body="plain text")
    assert raw["body"] == "plain text"
    assert raw["headers"]["content-type"].startswith("application/json")
    kept = await seen(method="PUT", body={"a": None, "b": 1})
    assert kept["body"] == {"a": None, "b": 1}
    dropped = await seen(method="PATCH", body={"a": None, "b": 1}, ignoreNullValues=True)
    assert dropped["body"] == {"b": 1}
    get = await seen(method="GET", body={"a": 1})
    assert get["body"] is None
    assert "content-type" not in get["headers"]
