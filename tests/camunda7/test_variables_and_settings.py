"""Typed variables both ways, the settings' checks, and authentication on the wire.

Sources (read, not copied): camunda/camunda-bpm-platform engine-rest/engine-rest-openapi/
src/main/templates/models/org/camunda/bpm/engine/rest/dto/VariableValueDto.ftl (value, type,
valueInfo with objectTypeName and serializationDataFormat) and the fetchAndLock answer
examples in paths/external-task/fetchAndLock/post.ftl.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from app.engines.camunda7.variables import VariableError, from_camunda, to_camunda
from app.settings import SettingsError, load_settings
from tests.camunda7.conftest import Start
from tests.support.camunda7 import Camunda7StandIn
from tests.support.waiting import eventually


def test_reading_each_type() -> None:
    values = from_camunda(
        {
            "s": {"type": "String", "value": "x", "valueInfo": {}},
            "i": {"type": "Integer", "value": 7},
            "l": {"type": "Long", "value": 2**40},
            "d": {"type": "Double", "value": 1.5},
            "b": {"type": "Boolean", "value": False},
            "n": {"type": "Null", "value": None},
            "j": {"type": "Json", "value": '{"a":[1,{"b":null}]}'},
            "o": {
                "type": "Object",
                "value": "[1,2]",
                "valueInfo": {
                    "objectTypeName": "java.util.ArrayList",
                    "serializationDataFormat": "application/json",
                },
            },
            "t": {"type": "Date", "value": "2026-12-03T01:02:03.000+0000"},
        }
    )
    assert values == {
        "s": "x",
        "i": 7,
        "l": 2**40,
        "d": 1.5,
        "b": False,
        "n": None,
        "j": {"a": [1, {"b": None}]},
        "o": [1, 2],
        "t": "2026-12-03T01:02:03.000+0000",
    }


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ({"type": "Bytes", "value": "AAE="}, "the type 'Bytes' is not supported"),
        ({"type": "Json", "value": "{oops"}, "its JSON text is not valid"),
        (
            {
                "type": "Object",
                "value": "rO0AB",
                "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"},
            },
            "cannot be read",
        ),
    ],
)
def test_unreadable_values_name_the_variable(typed: dict[str, Any], reason: str) -> None:
    with pytest.raises(VariableError) as caught:
        from_camunda({"v": typed})
    assert caught.value.name == "v" and reason in str(caught.value)


def test_writing_each_type() -> None:
    assert to_camunda(
        {"s": "x", "i": 1, "l": 2**31, "d": 0.5, "b": True, "n": None, "o": {"k": [1]}}
    ) == {
        "s": {"value": "x", "type": "String"},
        "i": {"value": 1, "type": "Integer"},
        "l": {"value": 2**31, "type": "Long"},
        "d": {"value": 0.5, "type": "Double"},
        "b": {"value": True, "type": "Boolean"},
        "n": {"value": None, "type": "Null"},
        "o": {"value": '{"k":[1]}', "type": "Json"},
    }
    assert to_camunda({"a": [1]}, "Object") == {
        "a": {
            "value": "[1]",
            "type": "Object",
            "valueInfo": {
                "objectTypeName": "java.util.ArrayList",
                "serializationDataFormat": "application/json",
            },
        }
    }
    with pytest.raises(VariableError, match="variable 'x'"):
        to_camunda({"x": float("nan")})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"camunda7_url": "localhost:8080"}, "SWITCHBOARD_CAMUNDA7_URL: "),
        (
            {"camunda7_url": "http://h/engine-rest", "camunda7_username": "demo"},
            "SWITCHBOARD_CAMUNDA7_PASSWORD: ",
        ),
        (
            {"camunda7_username": "demo", "camunda7_password": "p", "camunda7_token": "t"},
            "SWITCHBOARD_CAMUNDA7_TOKEN: ",
        ),
        ({"camunda7_topics": "io.camunda:http-json:1"}, "SWITCHBOARD_CAMUNDA7_TOPICS: "),
        ({"camunda7_max_tasks": 0}, "SWITCHBOARD_CAMUNDA7_MAX_TASKS: "),
    ],
)
def test_bad_settings_name_the_variable(values: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(_env_file=None, **values)


def test_password_and_token_never_in_repr() -> None:
    settings = load_settings(
        _env_file=None, camunda7_username="demo", camunda7_password="pa55-word-x"
    )
    assert "pa55-word-x" not in repr(settings) and "pa55-word-x" not in str(settings)
    token = load_settings(_env_file=None, camunda7_token="tok-3x4mple")
    assert "tok-3x4mple" not in repr(token)


async def test_topic_overrides_rename_the_subscription(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    await start_engine(camunda7_topics="test:gated:1=gated-topic")
    await eventually(lambda: engine.calls_to("/fetchAndLock"), what="a fetch")
    names = {t["topicName"] for t in engine.calls_to("/fetchAndLock")[0].body["topics"]}
    assert "gated-topic" in names and "test:gated:1" not in names
    task = engine.add_task("gated-topic", {"n": 1})
    from tests.zeebe import connectors as test_connectors

    await eventually(lambda: test_connectors.GATE.calls == 1, what="the renamed topic's task")
    test_connectors.GATE.open.set()
    await eventually(lambda: task.state == "completed")


@pytest.mark.parametrize("mode", ["basic", "bearer"])
async def test_authentication_is_sent(mode: str, start_engine: Start) -> None:
    if mode == "basic":
        expected = "Basic " + base64.b64encode(b"demo:s3cret-pw").decode()
        options: dict[str, Any] = {"camunda7_username": "demo", "camunda7_password": "s3cret-pw"}
    else:
        expected = "Bearer tok-123"
        options = {"camunda7_token": "tok-123"}
    async with Camunda7StandIn(auth=expected) as guarded:
        harness = await start_engine(camunda7_url=guarded.address, **options)
        task = guarded.add_task("switchboard:none", {})
        await eventually(
            lambda: harness.service.status()["status"] == "up", what="an answered fetch"
        )
        assert all(c.authorization == expected for c in guarded.calls_to("/fetchAndLock"))
        assert all(c.status in (0, 200) for c in guarded.calls_to("/fetchAndLock"))
        assert task.state == "open"
        await harness.service.stop()


async def test_refused_credentials_show_in_readiness(start_engine: Start) -> None:
    async with Camunda7StandIn(auth="Bearer right") as guarded:
        harness = await start_engine(camunda7_url=guarded.address, camunda7_token="wrong")
        await eventually(lambda: harness.service.status().get("error"), what="an error")
        await eventually(
            lambda: "401" in str(harness.service.status().get("error")), what="the 401"
        )
        status = harness.service.status()
        assert status["status"] == "down" and "wrong" not in str(status)
        await harness.service.stop()
