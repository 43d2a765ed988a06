"""Connector listing and detail, and test invocations through the real runtime."""

from __future__ import annotations

import httpx
import pytest

from tests.api.harness import client
from tests.support.app import StartedApp
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"


async def test_list_and_describe(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["viewer"]) as c:
        listed = await c.get("/api/v1/connectors")
        detail = await c.get(f"/api/v1/connectors/{ECHO}")
    echo = next(e for e in listed.json() if e["type"] == ECHO)
    assert echo["state"] == "enabled" and echo["name"] == "Echo"
    body = detail.json()
    assert body["inputVariables"] == [] and body["timeout"] is None
    assert body["source"].startswith("entry point")
    assert set(body["inputSchema"]["properties"]) >= {"fail_code", "sleep_ms"}
    assert body["elementTemplateUrl"] == f"/api/v1/connectors/{ECHO}/element-template"


async def test_unknown_connector_is_a_404_problem(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["viewer"]) as c:
        response = await c.get("/api/v1/connectors/io.example:missing:1")
        invoked = await c.post("/api/v1/connectors/io.example:missing:1/invoke", json={})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No connector with type 'io.example:missing:1'"
    assert invoked.status_code == 403  # the role is checked before the connector is looked up


async def _execution(c: httpx.AsyncClient, execution_id: str) -> dict | None:
    response = await c.get(f"/api/v1/executions/{execution_id}")
    return response.json() if response.status_code == 200 else None


async def test_invoke_completes_and_is_recorded_with_source_rest(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={"variables": {"message": "hello"}, "headers": {"resultVariable": "echoed"}},
        )
        assert response.status_code == 200, response.text
        outcome = response.json()
        assert outcome["command"] == "complete"
        assert outcome["variables"] == {"echoed": {"message": "hello"}}
        assert outcome["errorCode"] is None and outcome["retries"] is None
        assert outcome["durationMs"] >= 0
        recorded = await eventually(lambda: _execution(c, outcome["executionId"]))
    assert recorded["source"] == "rest"
    assert recorded["connectorType"] == ECHO
    assert recorded["command"] == "complete"
    assert recorded["input"] == {"message": "hello"}


async def test_connector_error_is_a_fail_outcome_not_an_http_error(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={
                "variables": {"fail_code": "BOOM", "fail_message": "it broke"},
                "headers": {"retryBackoff": "PT5S"},
                "retries": 3,
            },
        )
    assert response.status_code == 200
    outcome = response.json()
    assert outcome["command"] == "fail"
    assert (outcome["errorCode"], outcome["errorMessage"]) == ("BOOM", "it broke")
    assert (outcome["retries"], outcome["backoffMs"]) == (2, 5000)


async def test_error_expression_throws_a_bpmn_error(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={
                "variables": {"status": 404},
                "headers": {
                    "errorExpression": '=if status = 404 then bpmnError("NOT_FOUND", "gone") '
                    "else null"
                },
            },
        )
    outcome = response.json()
    assert (outcome["command"], outcome["errorCode"], outcome["errorMessage"]) == (
        "throw_error",
        "NOT_FOUND",
        "gone",
    )


async def test_secret_values_never_leave_the_api(
    app: StartedApp, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cr3t-value-that-must-not-leak"
    monkeypatch.setenv("SECRET_API_TOKEN", secret)
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={
                "variables": {"token": "Bearer {{secrets.API_TOKEN}}"},
                "headers": {"resultVariable": "r"},
            },
        )
        outcome = response.json()
        recorded = await eventually(lambda: _execution(c, outcome["executionId"]))
        listed = await c.get("/api/v1/executions", params={"connectorType": ECHO})
    for text in (response.text, str(recorded), listed.text):
        assert secret not in text
    # The connector saw the value (the engine would get it); the API shows it masked.
    assert outcome["variables"] == {"r": {"token": "Bearer ***"}}
    assert recorded["output"] == {"r": {"token": "Bearer ***"}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"retries": -1}, "retries"),
        ({"variables": [1, 2]}, "variables"),
        ({"headers": {"resultVariable": 5}}, "headers.resultVariable"),
        ({"unexpected": True}, "unexpected"),
    ],
)
async def test_invalid_invocations_name_the_field(
    app: StartedApp, keys: dict[str, str], body: dict, field: str
) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(f"/api/v1/connectors/{ECHO}/invoke", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["title"] == "Unprocessable Entity"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["errors"][0]["location"] == "body"
    assert field in problem["detail"]


async def test_malformed_json_body_is_422(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body"
