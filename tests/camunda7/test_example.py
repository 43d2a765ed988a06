"""examples/camunda7-status-check.bpmn through the Camunda 7 engine: the task's topic,
extension properties and input parameters, as the engine would hand them to an external task
(input parameters evaluated into local variables: text as String, ``${S('...')}`` as Spin
Json, ``${n}`` numbers as Integer, ``${var}`` as the process variable), complete and BPMN
error against the loopback HTTP server.

Camunda 7 facts: camunda-docs "Extension Elements" reference (camunda:inputParameter,
camunda:property, camunda:type="external", camunda:topic) and the fetchAndLock answer of
camunda/camunda-bpm-platform engine-rest/engine-rest-openapi/src/main/templates/paths/
external-task/fetchAndLock/post.ftl (variables typed, extensionProperties).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import parse

from tests.camunda7.conftest import Start
from tests.conformance.http_server import HttpServer
from tests.support.camunda7 import Camunda7StandIn, typed
from tests.support.waiting import eventually

EXAMPLE = Path(__file__).parents[2] / "examples" / "camunda7-status-check.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
TOKEN = "demo-t0ken-value"


def external_task(process_variables: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
    """(topic, typed local variables, extension properties) of the example's service task."""
    task = parse(EXAMPLE).getroot().find(".//bpmn:serviceTask", NS)
    assert task is not None and task.get(f"{CAMUNDA}type") == "external"
    properties = {
        p.get("name", ""): p.get("value", "") for p in task.iterfind(".//camunda:property", NS)
    }
    variables: dict[str, Any] = {}
    for parameter in task.iterfind(".//camunda:inputParameter", NS):
        text = (parameter.text or "").strip()
        if spin := re.fullmatch(r"\$\{S\('(.*)'\)\}", text, re.S):
            variables[parameter.get("name", "")] = {"type": "Json", "value": spin.group(1)}
        elif number := re.fullmatch(r"\$\{(\d+)\}", text):
            variables[parameter.get("name", "")] = typed(int(number.group(1)))
        elif name := re.fullmatch(r"\$\{(\w+)\}", text):
            variables[parameter.get("name", "")] = typed(process_variables[name.group(1)])
        else:
            variables[parameter.get("name", "")] = typed(text)
    return str(task.get(f"{CAMUNDA}topic")), variables, properties


async def test_example_completes_with_its_result_expression(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine(secrets={"DEMO_API_TOKEN": TOKEN})
    topic, variables, properties = external_task({"statusUrl": http_server.url("/echo")})
    task = engine.add_task(topic, typed_variables=variables, properties=properties)
    await eventually(lambda: task.result is not None, what="the example task answered")
    assert task.state == "completed"
    assert task.result == {
        "workerId": "switchboard-test",
        "variables": {
            "statusCode": {"value": 200, "type": "Integer"},
            "serviceStatus": {"value": None, "type": "Null"},
        },
    }


async def test_example_secret_in_a_json_input_reaches_the_service(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine(secrets={"DEMO_API_TOKEN": TOKEN})
    topic, variables, properties = external_task({"statusUrl": http_server.url("/echo")})
    # Keep the whole response too (the echo route answers what it received).
    task = engine.add_task(
        topic, typed_variables=variables, properties={**properties, "resultVariable": "raw"}
    )
    await eventually(lambda: task.result is not None, what="the example task answered")
    assert task.result is not None
    raw = json.loads(task.result["variables"]["raw"]["value"])
    assert raw["body"]["headers"]["authorization"] == f"Bearer {TOKEN}"


async def test_example_503_throws_its_bpmn_error(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine(secrets={"DEMO_API_TOKEN": TOKEN})
    topic, variables, properties = external_task({"statusUrl": http_server.url("/status/503")})
    task = engine.add_task(topic, typed_variables=variables, properties=properties)
    await eventually(lambda: task.result is not None, what="the example task answered")
    assert task.state == "bpmn_error"
    assert task.result == {
        "workerId": "switchboard-test",
        "errorCode": "SERVICE_UNAVAILABLE",
        "errorMessage": "The service answered 503: not ready",
        "variables": {},
    }
