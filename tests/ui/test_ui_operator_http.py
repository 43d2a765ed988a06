"""The operator's UI requests over HTTP: fragments, the session-ended answer, replay checks,
the root redirect and the address `switchboard serve` prints."""

from __future__ import annotations

import re

import pytest

from app.cli.serve import ui_address
from app.db import executions_repo as repo
from app.ui.invoke_form import build_form
from connectors.echo import echo
from connectors.http_json import http_json
from tests.api.harness import client
from tests.support.app import StartedApp
from tests.support.waiting import eventually
from tests.ui.test_ui_http import _token, sign_in

ECHO = "switchboard:echo:1"
FRAGMENT = {"X-Switchboard-Fragment": "1"}


async def test_root_redirects_to_the_ui(app: StartedApp) -> None:
    async with client(app) as c:
        response = await c.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080/ui/"),
        ("0.0.0.0", "http://127.0.0.1:8080/ui/"),
        ("::", "http://[::1]:8080/ui/"),
        ("::1", "http://[::1]:8080/ui/"),
        ("switchboard.local", "http://switchboard.local:8080/ui/"),
    ],
)
def test_serve_prints_a_usable_ui_address(host: str, shown: str) -> None:
    assert ui_address(host, 8080) == shown


async def test_a_script_without_session_gets_401_not_the_sign_in_page(app: StartedApp) -> None:
    async with client(app) as c:
        rows = await c.get("/ui/executions/rows", headers=FRAGMENT)
        posted = await c.post(f"/ui/connectors/{ECHO}/invoke", headers=FRAGMENT, data={})
        page = await c.get("/ui/executions/rows")  # a page load still goes to the sign-in
    for response in (rows, posted):
        assert response.status_code == 401
        assert response.headers["x-sign-in"] == "/ui/login"
        assert "login-form" not in response.text and "api_key" not in response.text
    assert page.status_code == 303


async def test_invoke_fragment_is_the_outcome_card_alone(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app) as c:
        await sign_in(c, keys["operator"])
        page = await c.get(f"/ui/connectors/{ECHO}")
        data = {"csrf_token": _token(page.text), "variables": '{"a": 1}', "headers": "{}"}
        answered = await c.post(f"/ui/connectors/{ECHO}/invoke", headers=FRAGMENT, data=data)
        bad = await c.post(
            f"/ui/connectors/{ECHO}/invoke", headers=FRAGMENT, data={**data, "variables": "[1]"}
        )
        forged = await c.post(
            f"/ui/connectors/{ECHO}/invoke", headers=FRAGMENT, data={**data, "csrf_token": "x"}
        )
    assert answered.status_code == 200
    assert answered.text.lstrip().startswith('<section class="card" id="outcome">')
    assert "<html" not in answered.text
    assert bad.status_code == 422 and "variables: must be a JSON object" in bad.text
    assert forged.status_code == 403 and "<html" not in forged.text


async def test_replay_checks_role_and_secret_names(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as api:
        invoked = await api.post(f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"x": 1}})
    execution_id = invoked.json()["executionId"]

    async def stored() -> bool:  # the batched history writer has written it
        async with app.services.sessions() as session:
            return await repo.get_execution(session, execution_id) is not None

    await eventually(stored)
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        page = await c.get("/ui/connectors")
        viewer = await c.post(
            f"/ui/executions/{execution_id}/replay",
            headers=FRAGMENT,
            data={"csrf_token": _token(page.text)},
        )
    assert viewer.status_code == 403
    async with client(app) as c:
        await sign_in(c, keys["operator"])
        page = await c.get("/ui/connectors")
        token = _token(page.text)
        missing = await c.post(
            "/ui/executions/00000000-0000-0000-0000-000000000000/replay",
            headers=FRAGMENT,
            data={"csrf_token": token},
        )
        bad_headers = await c.post(
            f"/ui/executions/{execution_id}/replay",
            headers=FRAGMENT,
            data={"csrf_token": token, "headers": "[]"},
        )
    assert missing.status_code == 404
    assert bad_headers.status_code == 422
    assert "headers or retries: must be a JSON object" in bad_headers.text


def test_form_follows_the_template_metadata() -> None:
    """Camunda's REST template (io.camunda.connectors.HttpJson.v2, camunda/connectors
    connectors/http/rest/element-templates/http-json-connector.json) binds the method
    dropdown to ``method``, shows the body only for POST, PUT and PATCH and marks the bearer
    token ``"secret": true``; the form follows our generated template, which tests/templates
    compares with Camunda's."""
    form = build_form(http_json)
    fields = {f.id: f for g in form.groups for f in g.fields}
    assert fields["method"].kind == "select" and fields["method"].value == "GET"
    assert fields["body"].condition == {
        "property": "method",
        "oneOf": ["POST", "PUT", "PATCH"],
        "type": "simple",
    }
    assert fields["authentication.token"].secret
    assert fields["headers"].kind == "json"  # a map: JSON, not text
    assert fields["resultVariable"].target == "headers"
    assert "retryCount" not in fields  # the form has its own retries field
    assert form.template_version == 18
    assert build_form(echo).examples[0]["name"] == "Echo a message"
    assert re.match(r"^\d+$", str(build_form(echo).template_version))


@pytest.mark.parametrize("connector", [echo, http_json], ids=lambda c: c.type)
def test_every_shipped_example_binds_to_its_connector(connector: object) -> None:
    from connectors.sdk import bind

    assert connector.examples  # type: ignore[attr-defined]
    for example in connector.examples:  # type: ignore[attr-defined]
        bind(connector.input_model, dict(example.variables))  # type: ignore[attr-defined]
