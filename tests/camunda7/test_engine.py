"""The Camunda 7 engine end to end over real HTTP: the REST connector (io.camunda:http-json:1)
driven by variables and extension properties as a Camunda 7 process carries them, against a
loopback HTTP server, through the stand-in; the tests assert the exact request bodies.

Sources (read, not copied):
- camunda/camunda-bpm-platform engine-rest/engine-rest-openapi/src/main/templates/paths/
  external-task/fetchAndLock/post.ftl, {id}/complete/post.ftl, {id}/failure/post.ftl
  (errorMessage, errorDetails, retries, retryTimeout), {id}/bpmnError/post.ftl (errorCode,
  errorMessage, variables), {id}/extendLock/post.ftl (workerId, newDuration),
  {id}/unlock/post.ftl
- camunda/camunda-bpm-platform engine/src/main/java/org/camunda/bpm/engine/impl/persistence/
  entity/ExternalTaskEntity.java (MAX_EXCEPTION_MESSAGE_LENGTH = 666)
- camunda/camunda-7-to-8-migration-tooling code-conversion/patterns/30-glue-code/
  .../handling-a-failure.md and the Camunda 7 external task clients' convention: a task's
  retries are null until its first failure, the worker then starts from its default (3)
  and decrements
- camunda/connectors connectors/http/rest/element-templates/http-json-connector.json (the
  fields a modelled task carries: resultVariable, resultExpression, errorExpression,
  retryBackoff)
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.engines.camunda7.tasks import to_job
from connectors.http_json import TYPE as REST_TYPE
from tests.camunda7.conftest import Start
from tests.conformance.http_server import JSON_BODY, HttpServer
from tests.support.camunda7 import Camunda7StandIn
from tests.support.waiting import eventually
from tests.zeebe import connectors as test_connectors

WORKER = "switchboard-test"
SECRET = "s3cr3t-api-key"


def rest_variables(url: str, **more: Any) -> dict[str, Any]:
    return {
        "authentication": {"type": "noAuth"},
        "method": "GET",
        "url": url,
        "connectionTimeoutInSeconds": 20,
        "readTimeoutInSeconds": 20,
        **more,
    }


async def closed(engine: Camunda7StandIn, task_id: str) -> Any:
    task = engine.tasks[task_id]
    await eventually(lambda: task.result is not None, what=f"task {task_id} answered")
    return task.result


async def test_fetch_request_has_one_topic_per_connector(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    await start_engine(camunda7_lock_duration_ms=7_000, camunda7_max_tasks=4)
    await eventually(lambda: engine.calls_to("/fetchAndLock"), what="a fetch")
    body = engine.calls_to("/fetchAndLock")[0].body
    assert body["workerId"] == WORKER and body["maxTasks"] == 4
    assert body["asyncResponseTimeout"] == 1_000
    topics = {t["topicName"]: t for t in body["topics"]}
    assert topics[test_connectors.gated.type] == {
        "topicName": "test:gated:1",
        "lockDuration": 7_000,
        "includeExtensionProperties": True,
        "variables": ["n"],
    }
    # A connector that reads every variable leaves the list out (an empty list fetches none).
    assert "variables" not in topics[test_connectors.retry.type]
    assert "url" in topics[REST_TYPE]["variables"]


async def test_rest_connector_completes_with_typed_variables(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine()
    task = engine.add_task(
        REST_TYPE,
        rest_variables(http_server.url("/json")),
        properties={
            "resultVariable": "result",
            "resultExpression": "={orderId: response.body.order.id, status: response.status}",
        },
    )
    body = await closed(engine, task.id)
    assert task.state == "completed"
    assert set(body) == {"workerId", "variables"} and body["workerId"] == WORKER
    variables = body["variables"]
    assert variables["orderId"] == {"value": "123", "type": "String"}
    assert variables["status"] == {"value": 200, "type": "Integer"}
    assert variables["result"]["type"] == "Json"
    result = json.loads(variables["result"]["value"])
    assert result["status"] == 200 and result["body"] == JSON_BODY


async def test_typed_variables_are_read_into_the_request(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine(camunda7_object_type="Object")
    task = engine.add_task(
        REST_TYPE,
        rest_variables(http_server.url("/echo"), method="POST"),
        typed_variables={
            "body": {
                "type": "Object",
                "value": '{"items":[1,2],"n":null}',
                "valueInfo": {
                    "objectTypeName": "java.util.LinkedHashMap",
                    "serializationDataFormat": "application/json",
                },
            },
            "headers": {"type": "Json", "value": '{"X-Order":"o-1"}', "valueInfo": {}},
        },
        properties={"resultExpression": "={seen: response.body}"},
    )
    body = await closed(engine, task.id)
    seen = body["variables"]["seen"]
    assert seen["type"] == "Object"
    assert seen["valueInfo"] == {
        "objectTypeName": "java.util.LinkedHashMap",
        "serializationDataFormat": "application/json",
    }
    echoed = json.loads(seen["value"])
    assert echoed["body"] == {"items": [1, 2], "n": None}
    assert echoed["headers"]["x-order"] == "o-1"


async def test_http_error_fails_with_retries_and_retry_timeout(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine()
    # retries null (never failed): the default 3, minus this failure.
    first = engine.add_task(
        REST_TYPE,
        rest_variables(http_server.url("/status/503")),
        properties={"retryBackoff": "PT30S"},
    )
    body = await closed(engine, first.id)
    assert set(body) == {"workerId", "errorMessage", "errorDetails", "retries", "retryTimeout"}
    assert body["workerId"] == WORKER
    assert body["retries"] == 2 and body["retryTimeout"] == 30_000
    assert body["errorMessage"] == "Service Unavailable"
    assert body["errorDetails"].startswith("Service Unavailable | Error variables: {")
    assert first.state == "open" and first.retries == 2

    last = engine.add_task(REST_TYPE, rest_variables(http_server.url("/status/500")), retries=1)
    body = await closed(engine, last.id)
    assert body["retries"] == 0 and body["retryTimeout"] == 0
    assert last.state == "incident"


async def test_retries_extension_property_sets_the_first_count(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine(camunda7_default_retries=3)
    task = engine.add_task(
        REST_TYPE, rest_variables(http_server.url("/status/500")), properties={"retries": "5"}
    )
    assert (await closed(engine, task.id))["retries"] == 4


async def test_error_expression_throws_a_bpmn_error(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine()
    task = engine.add_task(
        REST_TYPE,
        rest_variables(http_server.url("/status/404")),
        properties={
            "errorExpression": '=if error.code = "404" then bpmnError("ORDER_MISSING", '
            '"No order " + error.code, {reason: "gone"}) else null',
        },
    )
    body = await closed(engine, task.id)
    assert task.state == "bpmn_error"
    assert body == {
        "workerId": WORKER,
        "errorCode": "ORDER_MISSING",
        "errorMessage": "No order 404",
        "variables": {"reason": {"value": "gone", "type": "String"}},
    }


async def test_secrets_are_masked_in_error_message_and_details(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine(secrets={"API_KEY": SECRET})
    task = engine.add_task(
        REST_TYPE,
        rest_variables(http_server.url("/reflect/x"), headers={"X-Key": "{{secrets.API_KEY}}"}),
    )
    body = await closed(engine, task.id)
    assert body["retries"] == 2
    text = json.dumps(body)
    assert SECRET not in text
    assert "***" in body["errorDetails"]
    assert len(body["errorMessage"]) <= 666 and len(body["errorDetails"]) <= 6000


async def test_a_slow_connector_gets_its_lock_extended(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    await start_engine(camunda7_lock_duration_ms=300)
    task = engine.add_task(test_connectors.gated.type, {"n": 1})
    await eventually(
        lambda: len(engine.calls_to(f"/{task.id}/extendLock")) >= 2,
        what="two lock extensions",
    )
    extensions = engine.calls_to(f"/{task.id}/extendLock")
    assert [c.body for c in extensions[:2]] == [{"workerId": WORKER, "newDuration": 300}] * 2
    assert all(c.status == 204 for c in extensions)
    test_connectors.GATE.open.set()
    body = await closed(engine, task.id)
    assert body["variables"] == {}
    assert task.state == "completed"


async def test_shutdown_unlocks_tasks_that_did_not_finish(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    harness = await start_engine(shutdown_grace_seconds=0.2)
    task = engine.add_task(test_connectors.gated.type, {"n": 1})
    await eventually(lambda: test_connectors.GATE.running == 1, what="the connector running")
    await harness.service.stop()
    assert [c.path.rsplit("/", 2)[-2] for c in engine.calls_to("/unlock")] == [task.id]
    assert task.worker_id is None and task.lock_expires is None and task.state == "open"
    assert harness.service.last_shutdown == {"finished": 0, "unlocked": [task.id]}


async def test_history_records_camunda7_as_the_source(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    harness = await start_engine()
    task = engine.add_task(REST_TYPE, rest_variables(http_server.url("/json")))
    await closed(engine, task.id)
    record = await eventually(lambda: harness.history.records, what="a history record")
    assert record[0].source == "camunda7"
    assert record[0].job.element_id == "ServiceTask_1"
    assert record[0].job.bpmn_process_id == "order-process"


async def test_unreadable_variable_fails_without_retries(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    await start_engine()
    task = engine.add_task(
        test_connectors.gated.type,
        typed_variables={
            "n": {
                "type": "Object",
                "value": "rO0ABXQAA2FiYw==",
                "valueInfo": {
                    "objectTypeName": "java.lang.String",
                    "serializationDataFormat": "application/x-java-serialized-object",
                },
            }
        },
    )
    body = await closed(engine, task.id)
    assert body["retries"] == 0
    assert "variable 'n'" in body["errorMessage"]
    assert test_connectors.GATE.calls == 0


async def test_lost_lock_does_not_stop_the_worker(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    # One task at a time: the worker does not fetch while it runs, so "other" takes the lock.
    await start_engine(camunda7_lock_duration_ms=60_000, camunda7_max_tasks=1)
    task = engine.add_task(test_connectors.gated.type, {"n": 1})
    await eventually(lambda: test_connectors.GATE.running == 1, what="the connector running")
    engine.expire_lock(task.id)
    async with httpx.AsyncClient(base_url=engine.address + "/external-task") as http:
        taken = await http.post(
            "/fetchAndLock",
            json={
                "workerId": "other",
                "maxTasks": 1,
                "topics": [{"topicName": task.topic, "lockDuration": 60_000}],
            },
        )
    assert taken.json()[0]["workerId"] == "other"
    test_connectors.GATE.open.set()
    refused = await eventually(
        lambda: [c for c in engine.calls_to(f"/{task.id}/complete") if c.status == 400],
        what="the refused completion",
    )
    assert refused[0].body["workerId"] == WORKER
    # The worker goes on taking tasks.
    second = engine.add_task(test_connectors.gated.type, {"n": 2})
    await closed(engine, second.id)


def test_task_ids_that_are_numbers_become_job_keys() -> None:
    raw = {
        "id": "4711",
        "processInstanceId": "4700",
        "processDefinitionId": "order:3:4699",
        "processDefinitionKey": "order",
        "activityId": "Call",
        "retries": None,
        "extensionProperties": {"resultVariable": "r"},
        "variables": {"a": {"type": "Long", "value": 2**40}},
    }
    job = to_job(raw, REST_TYPE, worker_id="w", default_retries=3)
    assert (job.info.key, job.info.process_instance_key) == (4711, 4700)
    assert job.info.process_definition_version == 3 and job.info.retries == 3
    assert job.info.custom_headers == {"resultVariable": "r"}
    assert job.variables == {"a": 2**40}
    uuid_task = to_job({**raw, "id": "0b6f-uuid"}, REST_TYPE, worker_id="w", default_retries=3)
    assert uuid_task.info.key == 0


async def test_commands_not_taken_are_retried_three_times(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine()
    engine.fail_next("/complete", 503, times=2)
    task = engine.add_task(REST_TYPE, rest_variables(http_server.url("/json")))
    await closed(engine, task.id)
    statuses = [c.status for c in engine.calls_to(f"/{task.id}/complete")]
    assert statuses == [503, 503, 204] and task.state == "completed"

    engine.fail_next("/complete", 503, times=3)
    given_up = engine.add_task(REST_TYPE, rest_variables(http_server.url("/json")))
    await eventually(
        lambda: len(engine.calls_to(f"/{given_up.id}/complete")) == 3, what="three attempts"
    )
    await eventually(lambda: len(engine.calls_to("/fetchAndLock")) > 2, what="fetching on")
    assert given_up.state == "open"  # left locked: it is fetched again once the lock expires
    assert [c.status for c in engine.calls_to(f"/{given_up.id}/complete")] == [503] * 3


async def test_job_timeout_property_sets_the_lock_before_running(
    start_engine: Start, engine: Camunda7StandIn, http_server: HttpServer
) -> None:
    await start_engine()
    task = engine.add_task(
        REST_TYPE, rest_variables(http_server.url("/json")), properties={"jobTimeout": "PT5M"}
    )
    await closed(engine, task.id)
    task_calls = [c for c in engine.calls if f"/{task.id}/" in c.path]
    assert [c.path.rsplit("/", 1)[-1] for c in task_calls] == ["extendLock", "complete"]
    assert task_calls[0].body == {"workerId": WORKER, "newDuration": 300_000}


async def test_without_long_polling_an_empty_answer_pauses(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    await start_engine(camunda7_async_response_timeout_ms=0)
    await eventually(lambda: engine.calls_to("/fetchAndLock"), what="a fetch")
    first = engine.calls_to("/fetchAndLock")[0].at
    await eventually(lambda: len(engine.calls_to("/fetchAndLock")) >= 2, what="a second fetch")
    assert engine.calls_to("/fetchAndLock")[1].at - first >= 0.9


async def test_long_failure_messages_are_capped(
    start_engine: Start, engine: Camunda7StandIn
) -> None:
    from tests.conformance.connectors import RAISE_TYPE, raiser

    await start_engine(connectors=(raiser,))
    task = engine.add_task(RAISE_TYPE, {"kind": "runtime", "message": "x" * 7000}, retries=1)
    body = await closed(engine, task.id)
    # The engine keeps 666 characters of errorMessage; errorDetails carries Camunda's 6000.
    assert body["errorMessage"] == "x" * 666
    assert body["errorDetails"] == "x" * 6000
    assert body["retries"] == 0
