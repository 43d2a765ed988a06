"""The outbound conformance cases over Camunda 7: for each job, what the engine receives
through the stand-in says the same as the Outcome the runtime gives Zeebe for that job
(result and error expressions, secrets, retries, backoff, masking).

The Zeebe side is the runtime's own Outcome for the same variables and headers (what
``tests/conformance`` asserts against camunda/connectors); the Camunda 7 side is the recorded
request, read back with Camunda 7's shapes (camunda/camunda-bpm-platform
engine-rest/engine-rest-openapi/src/main/templates/paths/external-task/{id}/complete/post.ftl,
failure/post.ftl, bpmnError/post.ftl).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.engines.camunda7.variables import from_camunda
from app.runtime.model import Complete, Fail, Job, ThrowError
from connectors.echo import echo
from tests.camunda7.conftest import Start
from tests.conformance.connectors import RAISE_TYPE, RETURN_TYPE, raiser, returner
from tests.conformance.support import SECRETS
from tests.support.camunda7 import Camunda7StandIn
from tests.support.waiting import eventually

ECHO = echo.type

CASES: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    ("result variable", ECHO, {"a": 1, "b": [1, "x"]}, {"resultVariable": "r"}),
    ("result expression", ECHO, {"a": 1}, {"resultExpression": "={x: a + 1, all: response}"}),
    (
        "both, expression wins",
        ECHO,
        {"a": 1},
        {"resultVariable": "x", "resultExpression": "={x: 2}"},
    ),
    ("no headers", ECHO, {"a": 1}, {}),
    ("null result", RETURN_TYPE, {"value": None}, {"resultVariable": "r"}),
    (
        "connector error to BPMN error",
        RAISE_TYPE,
        {"kind": "connector", "code": "E42", "message": "nope", "variables": {"k": 1}},
        {
            "errorExpression": '=if error.code = "E42" then bpmnError("B42", error.message, '
            "{k: error.variables.k}) else null"
        },
    ),
    (
        "retry error",
        RAISE_TYPE,
        {"kind": "retry", "retries": 7, "backoff_ms": 1500},
        {},
    ),
    ("input error", RAISE_TYPE, {"kind": "input", "message": "bad"}, {"retryBackoff": "PT5S"}),
    ("runtime error with backoff", RAISE_TYPE, {"kind": "runtime"}, {"retryBackoff": "PT1M"}),
    ("invalid backoff", ECHO, {"a": 1}, {"retryBackoff": ""}),
    (
        "job error",
        ECHO,
        {"a": 1},
        {"errorExpression": '=jobError("stop", {why: "x"}, 1, duration("PT2S"))'},
    ),
    (
        "ignore error",
        RAISE_TYPE,
        {"kind": "connector", "code": "E1"},
        {"errorExpression": "=ignoreError({ok: true})"},
    ),
    ("bad result shape", ECHO, {"a": 1}, {"resultExpression": "=1"}),
    (
        "secret in a failure",
        RAISE_TYPE,
        {"kind": "connector", "code": "403", "message": "denied {{secrets.API_KEY}}"},
        {},
    ),
    ("secret in a result", ECHO, {"key": "{{secrets.API_KEY}}"}, {"resultVariable": "r"}),
]


@pytest.mark.parametrize(
    ("job_type", "variables", "headers"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_camunda7_requests_say_what_zeebe_gets(
    start_engine: Start,
    engine: Camunda7StandIn,
    job_type: str,
    variables: dict[str, Any],
    headers: dict[str, str],
) -> None:
    harness = await start_engine(secrets=SECRETS, connectors=(echo, raiser, returner))
    zeebe = await harness.runtime.execute(
        Job.create(job_type, variables, custom_headers=headers, retries=3)
    )
    task = engine.add_task(job_type, variables, properties=headers)
    await eventually(lambda: task.result is not None, what="the task answered")
    # The first answer (a failure with retries left is fetched and answered again).
    answers = [c for c in engine.calls if c.path.split("/")[-2:-1] == [task.id] and c.status == 204]
    body = answers[0].body
    assert body["workerId"] == "switchboard-test"
    expected = zeebe.outcome
    if isinstance(expected, Complete):
        assert answers[0].path.endswith("/complete")
        assert from_camunda(body["variables"]) == expected.variables
    elif isinstance(expected, ThrowError):
        assert answers[0].path.endswith("/bpmnError")
        assert (body["errorCode"], body["errorMessage"]) == (expected.code, expected.message)
        assert from_camunda(body["variables"]) == expected.variables
    else:
        assert isinstance(expected, Fail)
        assert answers[0].path.endswith("/failure")
        masked = zeebe.masked_outcome
        assert isinstance(masked, Fail)
        assert body["retries"] == expected.retries
        assert body["retryTimeout"] == expected.backoff_ms
        assert body["errorMessage"] == masked.message[:666]
        assert body["errorDetails"].startswith(masked.message)
        assert SECRETS["API_KEY"] not in str(body)
