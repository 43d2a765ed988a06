"""The HTTP connectors through the real runtime (headers, secrets, FEEL result and error
expressions), with jobs built the way the modeler builds them from Camunda's official
element templates."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, Job, ThrowError
from app.runtime.secrets_hook import StaticSecretResolver
from connectors.graphql import TYPE as GRAPHQL_TYPE
from connectors.graphql import graphql
from connectors.http_json import TYPE as REST_TYPE
from connectors.http_json import http_json
from tests.connectors.servers import LoopbackServer, Reply

TEMPLATES = (
    Path(__file__).parents[1]
    / "node/node_modules/@camunda/connectors-element-templates/src/element-templates"
)
NOT_FOUND_EXPRESSION = '=if error.code = "404" then bpmnError("NOT_FOUND", error.message) else null'
SECRETS = {"API_USER": "api-user", "API_PASSWORD": "pa55-w0rd!"}


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def runtime() -> AsyncIterator[ConnectorRuntime]:
    rt = ConnectorRuntime(
        {REST_TYPE: http_json, GRAPHQL_TYPE: graphql}, secrets=StaticSecretResolver(SECRETS)
    )
    yield rt
    rt.close()


# --- errorExpression ------------------------------------------------------------------------


async def test_error_expression_maps_404_to_a_bpmn_error(
    runtime: ConnectorRuntime, server: LoopbackServer
) -> None:
    path = unique("missing")
    server.routes[path] = lambda seen: Reply(status=404, body={"detail": "no order 7"})
    job = Job.create(
        type=REST_TYPE,
        variables={"method": "GET", "url": server.url(path)},
        custom_headers={"errorExpression": NOT_FOUND_EXPRESSION},
        retries=3,
    )
    result = await runtime.execute(job)
    assert result.outcome == ThrowError(code="NOT_FOUND", message="Not Found", variables={})


async def test_error_expression_lets_a_500_fail_with_retries(
    runtime: ConnectorRuntime, server: LoopbackServer
) -> None:
    path = unique("broken")
    server.routes[path] = lambda seen: Reply(status=500, body={"detail": "db down"})
    job = Job.create(
        type=REST_TYPE,
        variables={"method": "GET", "url": server.url(path)},
        custom_headers={"errorExpression": NOT_FOUND_EXPRESSION, "retryBackoff": "PT5S"},
        retries=3,
    )
    outcome = (await runtime.execute(job)).outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert outcome.backoff_ms == 5000
    assert outcome.error_code == "500"
    error = outcome.variables["error"]
    assert error["code"] == "500"
    assert error["variables"]["response"]["body"] == {"detail": "db down"}


async def test_error_expression_sees_the_response_of_an_error(
    runtime: ConnectorRuntime, server: LoopbackServer
) -> None:
    path = unique("conflict")
    server.routes[path] = lambda seen: Reply(status=409, body={"reason": "duplicate"})
    expression = (
        '=if error.variables.response.body.reason = "duplicate" '
        'then ignoreError({"duplicate": true}) else null'
    )
    job = Job.create(
        type=REST_TYPE,
        variables={"method": "POST", "url": server.url(path), "body": {}},
        custom_headers={"errorExpression": expression},
    )
    assert (await runtime.execute(job)).outcome == Complete({"duplicate": True})


async def test_bad_input_fails_without_retries(runtime: ConnectorRuntime) -> None:
    job = Job.create(type=REST_TYPE, variables={"method": "GET"}, retries=3)
    outcome = (await runtime.execute(job)).outcome
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "url" in outcome.message


async def test_graphql_error_through_the_runtime(
    runtime: ConnectorRuntime, server: LoopbackServer
) -> None:
    path = unique("gql")
    server.routes[path] = lambda seen: Reply(body={"errors": [{"message": "Unknown field"}]})
    job = Job.create(
        type=GRAPHQL_TYPE,
        variables={"graphql": {"method": "post", "url": server.url(path), "query": "{x}"}},
        custom_headers={
            "errorExpression": '=if error.code = "GRAPHQL_ERROR" then bpmnError("GQL", '
            "error.message) else null"
        },
    )
    assert (await runtime.execute(job)).outcome == ThrowError("GQL", "Unknown field", {})


# --- jobs built from the official templates -----------------------------------------------


def latest_template(file_name: str) -> dict[str, Any]:
    path = TEMPLATES / file_name
    assert path.exists(), f"{path} is missing: run `make node-deps` (scripts/ensure-node-deps.sh)"
    templates = json.loads(path.read_text())
    return max(templates, key=lambda t: t.get("version") or 0)


def _condition_holds(condition: dict[str, Any] | None, values: dict[str, Any]) -> bool:
    if condition is None:
        return True
    if "allMatch" in condition:
        return all(_condition_holds(c, values) for c in condition["allMatch"])
    current = values.get(condition["property"])
    if "equals" in condition:
        return current == condition["equals"]
    if "oneOf" in condition:
        return current in condition["oneOf"]
    if "isEmpty" in condition:
        return (current in (None, "")) == condition["isEmpty"]
    raise AssertionError(f"unknown condition {condition}")


def _as_zeebe_value(value: Any, strings: bool) -> Any:
    """Static template values: typed (FEEL ``=20``) or as the plain strings older modelers
    wrote (``"20"``, ``"false"``)."""
    if not strings:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else value


def job_from_template(
    template: dict[str, Any], entries: dict[str, Any], strings: bool
) -> tuple[dict[str, Any], dict[str, str], int]:
    """Apply the template's defaults and the user's ``entries`` (by property id, or by
    binding name for the dropdown-dependent ones) like the modeler: input variables (dotted
    bindings nest), task headers and the task definition's retries."""
    values: dict[str, Any] = {}
    properties = template["properties"]
    for prop in properties:
        key = prop.get("id") or prop["binding"].get("name") or prop["binding"].get("key")
        if key in entries:
            values[key] = entries[key]
        elif "value" in prop:
            values[key] = prop["value"]
    variables: dict[str, Any] = {}
    headers: dict[str, str] = {}
    retries = 3
    for prop in properties:
        key = prop.get("id") or prop["binding"].get("name") or prop["binding"].get("key")
        if key not in values or not _condition_holds(prop.get("condition"), values):
            continue
        value = values[key]
        binding = prop["binding"]
        if binding["type"] == "zeebe:input":
            target = variables
            *parents, leaf = binding["name"].split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = _as_zeebe_value(value, strings)
        elif binding["type"] == "zeebe:taskHeader":
            text = str(value)
            if prop.get("feel") == "required" and not text.startswith("="):
                text = "=" + text
            headers[binding["key"]] = text
        elif binding["type"] == "zeebe:taskDefinition" and binding["property"] == "retries":
            retries = int(value)
    return variables, headers, retries


@pytest.mark.parametrize("strings", [False, True], ids=["typed", "strings"])
async def test_job_from_the_official_rest_template(
    runtime: ConnectorRuntime, server: LoopbackServer, strings: bool
) -> None:
    template = latest_template("http-json-connector.json")
    path = unique("orders")
    server.routes[path] = lambda seen: Reply(
        status=201,
        body={"order": {"id": "123", "total": "100.00€"}},
        headers=[("Content-Type", "application/json"), ("X-Order-Id", "123")],
    )
    variables, headers, retries = job_from_template(
        template,
        {
            "method": "POST",
            "url": server.url(path),
            "authentication.type": "basic",
            "authentication.username": "{{secrets.API_USER}}",
            "authentication.password": "{{secrets.API_PASSWORD}}",
            "headers": {"X-Tenant": "acme"},
            "body": {"item": "book", "quantity": 2, "note": None},
            "ignoreNullValues": True,
            "resultVariable": "orderResponse",
        },
        strings,
    )
    # The defaults the template brought, as the modeler writes them.
    assert variables["authentication"]["type"] == "basic"
    assert variables["documentReturnFormat"] == {"choice": "JSON"}
    assert variables["followRedirects"] == ("false" if strings else False)
    assert variables["connectionTimeoutInSeconds"] == ("20" if strings else 20)
    assert headers["elementTemplateId"] == "io.camunda.connectors.HttpJson.v2"
    assert headers["resultExpression"].startswith("={\n  myResponseBody: response.body")

    result = await runtime.execute(
        Job.create(type=REST_TYPE, variables=variables, custom_headers=headers, retries=retries)
    )
    outcome = result.outcome
    assert isinstance(outcome, Complete), outcome
    response = outcome.variables["orderResponse"]
    assert set(response) == {"status", "headers", "body", "reason", "document"}
    assert response["status"] == 201
    assert response["reason"] == "Created"
    assert response["headers"]["X-Order-Id"] == "123"
    assert response["body"] == {"order": {"id": "123", "total": "100.00€"}}
    # The template's default result expression, FEEL comments included.
    assert outcome.variables["myResponseBody"] == response["body"]

    seen = server.requests_to(path)[-1]
    assert seen.json() == {"item": "book", "quantity": 2}
    assert seen.header("X-Tenant") == "acme"
    assert seen.header("Authorization") is not None
    # The resolved password never shows in what the runtime records.
    assert SECRETS["API_PASSWORD"] not in json.dumps(result.record.input)


async def test_job_from_the_official_graphql_template(
    runtime: ConnectorRuntime, server: LoopbackServer
) -> None:
    template = latest_template("graphql-outbound-connector.json")
    path = unique("gql-template")
    server.routes[path] = lambda seen: Reply(
        body={"data": {"order": {"id": "7"}}}, headers=[("Content-Type", "application/json")]
    )
    variables, headers, retries = job_from_template(
        template,
        {
            "graphql.url": server.url(path),
            "graphql.query": "query($id: ID!) { order(id: $id) { id } }",
            "graphql.variables": {"id": "7"},
            "authentication.type": "bearer",
            "authentication.token": "{{secrets.API_PASSWORD}}",
            "resultExpression": "={order: response.body.data.order}",
        },
        strings=True,
    )
    assert variables["graphql"]["method"] == "get"
    result = await runtime.execute(
        Job.create(type=GRAPHQL_TYPE, variables=variables, custom_headers=headers, retries=retries)
    )
    assert result.outcome == Complete({"order": {"id": "7"}})
    seen = server.requests_to(path)[-1]
    assert seen.method == "GET"
    assert seen.header("Authorization") == f"Bearer {SECRETS['API_PASSWORD']}"
    assert dict(seen.query)["variables"] == '{"id":"7"}'
