"""FEEL warnings of a result expression reach the execution record, the REST API and the
execution page.

A misspelt function is null in Camunda too; feel-scala reports it as a suppressed failure of
type NO_FUNCTION_FOUND (camunda/feel-scala
src/main/scala/org/camunda/feel/api/EvaluationFailureType.scala,
src/test/scala/org/camunda/feel/impl/SuppressedFailuresTest.scala).
"""

from __future__ import annotations

import html
import logging

import pytest

from tests.api.harness import client
from tests.support.app import StartedApp
from tests.support.waiting import eventually
from tests.ui.test_ui_http import _token, sign_in

ECHO = "switchboard:echo:1"
EXPRESSION = "={a: foo(response), b: response.token}"
WARNING = {
    "expression": "resultExpression",
    "type": "NO_FUNCTION_FOUND",
    "message": "No function found with name 'foo'",
    "span": [5, 18],
}


async def test_unknown_function_warning_on_api_and_execution_page(
    app: StartedApp, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    assert EXPRESSION[5:18] == "foo(response)"
    caplog.set_level(logging.INFO, logger="app.runtime.records")
    async with client(app, keys["operator"]) as api:
        invoked = await api.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={
                "variables": {"token": "private-value-7"},
                "headers": {"resultExpression": EXPRESSION},
            },
        )
        assert invoked.status_code == 200, invoked.text
        body = invoked.json()
        assert body["command"] == "complete"
        assert body["variables"] == {"a": None, "b": "private-value-7"}
        assert body["warnings"] == [WARNING]
        execution_id = body["executionId"]

        async def recorded() -> bool:
            return (await api.get(f"/api/v1/executions/{execution_id}")).status_code == 200

        await eventually(recorded)
        detail = (await api.get(f"/api/v1/executions/{execution_id}")).json()
    assert detail["warnings"] == [WARNING]

    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        page = await c.get(f"/ui/executions/{execution_id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'id="execution-warnings"' in text
    assert "NO_FUNCTION_FOUND" in text and "resultExpression" in text
    assert "5\u201318" in text and "No function found with name 'foo'" in text

    # The log line names types and spans only, never values.
    lines = [r.getMessage() for r in caplog.records if "FEEL warnings" in r.getMessage()]
    assert any("NO_FUNCTION_FOUND in resultExpression at 5-18" in line for line in lines), lines
    assert not any("foo" in line or "private-value-7" in line for line in lines)


async def test_invoke_form_outcome_shows_the_warnings(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["operator"])
        page = await c.get(f"/ui/connectors/{ECHO}")
        data = {
            "csrf_token": _token(page.text),
            "variables": '{"x": 1}',
            "headers": '{"resultExpression": "={a: foo(response)}"}',
        }
        answered = await c.post(
            f"/ui/connectors/{ECHO}/invoke", headers={"X-Switchboard-Fragment": "1"}, data=data
        )
    assert answered.status_code == 200, answered.text
    text = html.unescape(answered.text)
    assert 'id="outcome-warnings"' in text
    assert "NO_FUNCTION_FOUND</code> in resultExpression at 5\u201318" in text
