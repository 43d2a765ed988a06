"""Every error is a problem document; the OpenAPI document describes the whole API."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.api.harness import client
from tests.support.app import StartedApp

PROBLEM = "application/problem+json"


async def test_unknown_path_and_wrong_method(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["viewer"]) as c:
        missing = await c.get("/api/v1/nothing-here")
        wrong = await c.delete("/api/v1/connectors")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Nothing is served at /api/v1/nothing-here",
        "instance": "/api/v1/nothing-here",
    }
    assert (wrong.status_code, wrong.headers["content-type"]) == (405, PROBLEM)
    assert "DELETE is not allowed" in wrong.json()["detail"]
    assert "GET" in wrong.headers["allow"]


async def test_crash_is_a_500_problem_and_the_log_keeps_the_message_out(
    app: StartedApp, caplog: pytest.LogCaptureFixture
) -> None:
    async def crash() -> None:
        raise RuntimeError("password=hunter2 leaked into a message")

    app.add_api_route("/test-only/crash", crash)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="switchboard.api"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            response = await c.get("/test-only/crash")
    assert (response.status_code, response.headers["content-type"]) == (500, PROBLEM)
    assert response.json()["title"] == "Internal Server Error"
    assert "hunter2" not in response.text
    assert "unhandled RuntimeError on GET /test-only/crash" in caplog.text
    assert "hunter2" not in caplog.text


async def test_openapi_documents_every_operation(app: StartedApp) -> None:
    async with client(app) as c:
        schema = (await c.get("/openapi.json")).json()
    operations = {
        (path, method): op
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if path.startswith("/api/v1") or path == "/metrics"
    }
    expected = {
        ("/api/v1/connectors", "get"),
        ("/api/v1/connectors/{type}", "get"),
        ("/api/v1/connectors/{type}/invoke", "post"),
        ("/api/v1/executions", "get"),
        ("/api/v1/executions/{id}", "get"),
        ("/api/v1/stats", "get"),
        ("/api/v1/api-keys", "get"),
        ("/api/v1/api-keys", "post"),
        ("/api/v1/api-keys/{id}", "delete"),
        ("/metrics", "get"),
    }
    assert expected <= set(operations)
    for (path, method), op in operations.items():
        assert op.get("summary"), (path, method)
        if (path, method) in expected:
            assert op.get("description"), (path, method)
        for code, response in op["responses"].items():
            if int(code) >= 400:
                assert list(response["content"]) == [PROBLEM], (path, method, code)
        if path.startswith("/api/v1"):
            assert op["security"] == [{"apiKey": []}]
            assert "401" in op["responses"], (path, method)
    invoke = operations[("/api/v1/connectors/{type}/invoke", "post")]
    assert {"401", "403", "404", "422"} <= set(invoke["responses"])
    assert "403" not in operations[("/api/v1/executions", "get")]["responses"]
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components
    for name in ("InvokeRequest", "InvokeResponse", "StatsResponse", "Problem"):
        assert components[name].get("examples"), name
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


async def test_malformed_json_body_names_the_body_and_the_position(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            "/api/v1/connectors/switchboard:echo:1/invoke",
            content=b'{"variables": {bad json hank-pii',
            headers={"Content-Type": "application/json"},
        )
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    problem = response.json()
    [error] = problem["errors"]
    assert (error["location"], error["field"]) == ("body", "body")
    assert error["reason"].startswith("invalid JSON at position 15: ")
    assert problem["detail"] == f"body: {error['reason']}"
    assert "hank-pii" not in response.text
