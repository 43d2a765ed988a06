"""The Camunda 7 stand-in answers as the engine's REST API does (so the engine tests mean
something): long polling, lock expiry, topic variable filtering, extension properties, and
the refusals with their status codes and ``{"type", "message"}`` bodies.

Sources (camunda/camunda-bpm-platform, read, not copied):
- engine-rest/engine-rest-openapi/src/main/templates/paths/external-task/fetchAndLock/post.ftl
  (request and LockedExternalTaskDto answer, includeExtensionProperties example)
- engine-rest/engine-rest-openapi/src/main/templates/models/org/camunda/bpm/engine/rest/dto/
  runtime/externaltask/FetchExternalTaskTopicDto.ftl ("If not provided - all variables will be
  fetched")
- engine-rest/engine-rest/src/main/java/org/camunda/bpm/engine/rest/sub/externaltask/impl/
  ExternalTaskResourceImpl.java (404 "External task with id X does not exist", 400 for
  BadUserRequestException)
- engine/src/main/java/org/camunda/bpm/engine/impl/cmd/HandleExternalTaskCmd.java (workerId
  null -> NullValueException; another worker's lock -> "... It is locked by worker 'v'.")
- engine/src/main/java/org/camunda/bpm/engine/impl/cmd/ExtendLockOnExternalTaskCmd.java
  ("Cannot extend a lock that expired")
- engine-rest/engine-rest/src/main/java/org/camunda/bpm/engine/rest/exception/
  ExceptionHandlerHelper.java, rest/dto/ExceptionDto.java (status mapping; type = exception
  class simple name, message)
- engine-rest/engine-rest/src/main/java/org/camunda/bpm/engine/rest/dto/externaltask/
  ExternalTaskFailureDto.java (retries and retryTimeout are Java primitives: missing is 0)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.camunda7 import Camunda7StandIn
from tests.support.waiting import eventually


@pytest.fixture
async def http(engine: Camunda7StandIn) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=engine.address + "/external-task") as client:
        yield client


def fetch(worker: str = "w1", **topic: Any) -> dict[str, Any]:
    return {
        "workerId": worker,
        "maxTasks": 5,
        "topics": [{"topicName": "t", "lockDuration": 10_000, **topic}],
    }


async def test_topic_variables_absent_all_empty_none(
    engine: Camunda7StandIn, http: httpx.AsyncClient
) -> None:
    for _ in range(3):
        engine.add_task("t", {"a": 1, "b": "x"})
    one = fetch()
    one["maxTasks"] = 1
    every = (await http.post("/fetchAndLock", json=one)).json()[0]
    assert every["variables"] == {
        "a": {"type": "Integer", "value": 1, "valueInfo": {}},
        "b": {"type": "String", "value": "x", "valueInfo": {}},
    }
    body = fetch(variables=["a"])
    body["maxTasks"] = 1
    assert (await http.post("/fetchAndLock", json=body)).json()[0]["variables"] == {
        "a": {"type": "Integer", "value": 1, "valueInfo": {}}
    }
    body = fetch(variables=[])
    body["maxTasks"] = 1
    assert (await http.post("/fetchAndLock", json=body)).json()[0]["variables"] == {}


async def test_extension_properties_only_when_asked(
    engine: Camunda7StandIn, http: httpx.AsyncClient
) -> None:
    engine.add_task("t", properties={"resultVariable": "r"})
    engine.add_task("t", properties={"resultVariable": "r"})
    body = fetch()
    body["maxTasks"] = 1
    assert (await http.post("/fetchAndLock", json=body)).json()[0]["extensionProperties"] == {}
    with_props = fetch(includeExtensionProperties=True)
    answer = (await http.post("/fetchAndLock", json=with_props)).json()
    assert answer[0]["extensionProperties"] == {"resultVariable": "r"}
    assert answer[0]["retries"] is None and answer[0]["workerId"] == "w1"


async def test_long_poll_answers_when_a_task_arrives_or_after_the_timeout(
    engine: Camunda7StandIn, http: httpx.AsyncClient
) -> None:
    started = time.monotonic()
    empty = await http.post("/fetchAndLock", json={**fetch(), "asyncResponseTimeout": 300})
    assert empty.json() == [] and time.monotonic() - started >= 0.3

    waiting = asyncio.create_task(
        http.post("/fetchAndLock", json={**fetch(), "asyncResponseTimeout": 5_000})
    )
    await eventually(lambda: len(engine.calls_to("/fetchAndLock")) == 2, what="the long poll")
    task = engine.add_task("t", {"a": 1})
    answer = await asyncio.wait_for(waiting, 5)
    assert [t["id"] for t in answer.json()] == [task.id]


async def test_a_lock_keeps_others_out_until_it_expires(
    engine: Camunda7StandIn, http: httpx.AsyncClient
) -> None:
    task = engine.add_task("t")
    assert len((await http.post("/fetchAndLock", json=fetch("w1"))).json()) == 1
    assert (await http.post("/fetchAndLock", json=fetch("w2"))).json() == []
    engine.expire_lock(task.id)
    taken = (await http.post("/fetchAndLock", json=fetch("w2"))).json()
    assert [t["workerId"] for t in taken] == ["w2"]
    # The first worker lost the lock: its completion is refused with the engine's message.
    refused = await http.post(f"/{task.id}/complete", json={"workerId": "w1"})
    assert refused.status_code == 400
    assert refused.json() == {
        "type": "RestException",
        "message": f"External Task {task.id} cannot be completed by worker 'w1'. "
        "It is locked by worker 'w2'.",
    }


async def test_refusals_have_the_engine_status_and_body(
    engine: Camunda7StandIn, http: httpx.AsyncClient
) -> None:
    missing = await http.post("/nope/complete", json={"workerId": "w1"})
    assert missing.status_code == 404
    assert missing.json() == {
        "type": "RestException",
        "message": "External task with id nope does not exist",
    }
    task = engine.add_task("t")
    await http.post("/fetchAndLock", json=fetch("w1"))
    no_worker = await http.post(f"/{task.id}/failure", json={"errorMessage": "x"})
    assert no_worker.status_code == 500
    assert no_worker.json() == {"type": "NullValueException", "message": "workerId is null"}
    no_code = await http.post(f"/{task.id}/bpmnError", json={"workerId": "w1"})
    assert no_code.status_code == 500
    engine.expire_lock(task.id)
    expired = await http.post(
        f"/{task.id}/extendLock", json={"workerId": "w1", "newDuration": 1000}
    )
    assert expired.status_code == 400
    assert expired.json()["message"] == "Cannot extend a lock that expired"
    # Completing after expiry is still accepted: only the worker id is checked.
    done = await http.post(f"/{task.id}/complete", json={"workerId": "w1", "variables": {}})
    assert done.status_code == 204 and task.state == "completed"
    gone = await http.post(f"/{task.id}/unlock")
    assert gone.status_code == 404


async def test_failure_retry_timeout_and_incident(
    engine: Camunda7StandIn, http: httpx.AsyncClient
) -> None:
    task = engine.add_task("t")
    await http.post("/fetchAndLock", json=fetch("w1"))
    failed = await http.post(
        f"/{task.id}/failure",
        json={"workerId": "w1", "errorMessage": "boom", "retries": 2, "retryTimeout": 200},
    )
    assert failed.status_code == 204
    assert (await http.post("/fetchAndLock", json=fetch("w1"))).json() == []

    async def fetched() -> list[Any]:
        answer: list[Any] = (await http.post("/fetchAndLock", json=fetch("w1"))).json()
        return answer

    again = await eventually(fetched, what="the retry timeout to pass")
    assert again[0]["retries"] == 2 and again[0]["errorMessage"] == "boom"
    await http.post(f"/{task.id}/failure", json={"workerId": "w1", "errorMessage": "boom"})
    assert task.state == "incident" and task.retries == 0  # retries missing: Java's int 0
