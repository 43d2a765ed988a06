"""Small request-handling rules (issue 19.9): 415 for a body that is not declared JSON on a
JSON endpoint, and reasons in plain words instead of pydantic's raw messages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from app.api.problems import validation_errors
from tests.api.harness import client
from tests.support.app import StartedApp

ECHO = "switchboard:echo:1"
PROBLEM = "application/problem+json"


async def test_a_non_json_content_type_is_415(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as c:
        text = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            content=b'{"variables": {}}',
            headers={"content-type": "text/plain"},
        )
        form = await c.post(f"/api/v1/connectors/{ECHO}/invoke", data={"variables": "{}"})
        charset = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            content=b'{"variables": {}}',
            headers={"content-type": "application/json; charset=utf-8"},
        )
        problem_json = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            content=b'{"variables": {}}',
            headers={"content-type": "application/merge-patch+json"},
        )
    assert (text.status_code, text.headers["content-type"]) == (415, PROBLEM)
    body = text.json()
    assert body["errors"] == [
        {
            "location": "header",
            "field": "Content-Type",
            "reason": "must be application/json, not text/plain",
        }
    ]
    assert form.status_code == 415
    assert "application/x-www-form-urlencoded" in form.json()["detail"]
    assert charset.status_code == 200 and problem_json.status_code == 200


async def test_a_get_without_body_is_not_refused(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["viewer"]) as c:
        listed = await c.get("/api/v1/executions", headers={"content-type": "text/plain"})
    assert listed.status_code == 200


async def test_invoke_wording(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={"variables": [], "headers": {"a": 1}, "retries": "x", "extra": 1},
        )
    assert response.status_code == 422
    reasons = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert reasons["variables"] == "must be a map (a JSON object)"
    assert reasons["headers.a"] == "must be a string"
    assert reasons["retries"] == "must be a whole number"
    assert reasons["extra"] == "is not a known field"
    assert "Input should be" not in response.text


class _A(BaseModel):
    type: Literal["a"]


class _B(BaseModel):
    type: Literal["b"]


class _Model(BaseModel):
    auth: Annotated[_A | _B, Field(discriminator="type")]
    mode: Literal["p", "q"] = "p"


def _reasons(value: dict[str, Any]) -> dict[str, str]:
    try:
        _Model.model_validate(value)
    except ValidationError as exc:
        raw = [dict(e, loc=("body", *e["loc"])) for e in exc.errors()]
        return {e.field: e.reason for e in validation_errors(raw)}
    raise AssertionError("valid")


def test_discriminator_wording() -> None:
    assert _reasons({"auth": {"type": "c"}}) == {"auth.type": "must be one of 'a', 'b' (got 'c')"}
    assert _reasons({"auth": {}}) == {
        "auth.type": "is required (it says which kind of value this is)"
    }
    assert _reasons({"auth": {"type": "a"}, "mode": "r"}) == {"mode": "must be 'p' or 'q'"}
