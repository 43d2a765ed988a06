"""FEEL warnings of result and error expressions in the execution record.

FEEL yields null with a suppressed failure (feel-scala
src/test/scala/org/camunda/feel/impl/SuppressedFailuresTest.scala); the runtime keeps Camunda's
result and records the warnings, their messages masked like the rest of the record.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.model import Complete, ExpressionWarning, Job, ThrowError
from connectors.sdk import Property, outbound_connector

PASSWORD = "Warned-Secret-513"


class Input(BaseModel):
    password: Annotated[str, Property(label="Password", secret=True)]


@outbound_connector(name="Warned", type="test:feel-warnings:1")
def warned(data: Input) -> dict[str, Any]:
    return {"password": data.password, "status": 404}


def _run(headers: dict[str, str]) -> tuple[ConnectorRuntime, MemoryHistorySink, Job]:
    history = MemoryHistorySink()
    runtime = ConnectorRuntime({warned.type: warned}, history=history)
    job = Job.create(
        type=warned.type, variables={"password": PASSWORD}, custom_headers=headers, retries=3
    )
    return runtime, history, job


async def test_result_and_error_expression_warnings_are_recorded_and_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    # A filter over a string quotes the string in its message: the secret must be masked.
    result_expression = "= {a: foo(status), b: password[item = 1]}"
    # The error expression sees the mapped variables ({a: null, b: null}), as in Camunda.
    error_expression = '=if b = null then bpmnError("NF", "not found", {m: missing}) else null'
    missing = error_expression.index("missing")
    runtime, history, job = _run(
        {"resultExpression": result_expression, "errorExpression": error_expression}
    )
    try:
        result = await runtime.execute(job, source="rest")
    finally:
        runtime.close()
    assert isinstance(result.outcome, ThrowError) and result.outcome.code == "NF"
    (record,) = history.records
    assert record is result.record
    assert [(w.expression, w.type, w.span) for w in record.warnings] == [
        ("resultExpression", "NO_FUNCTION_FOUND", (6, 17)),
        ("resultExpression", "INVALID_TYPE", (22, 40)),
        ("errorExpression", "NO_VARIABLE_FOUND", (missing, missing + 7)),
    ]
    assert result_expression[6:17] == "foo(status)"
    assert result_expression[22:40] == "password[item = 1]"
    assert record.warnings[1].message == "Expected list but found '\"***\"'"
    assert PASSWORD not in repr(record.warnings) + caplog.text
    assert "NO_FUNCTION_FOUND in resultExpression at 6-17" in caplog.text


async def test_no_warnings_no_field() -> None:
    runtime, _history, job = _run({"resultExpression": "={s: status}"})
    try:
        result = await runtime.execute(job, source="rest")
    finally:
        runtime.close()
    assert result.outcome == Complete({"s": 404})
    assert result.record.warnings == ()
    assert ExpressionWarning("resultExpression", "UNKNOWN", "m", (0, 1)).to_dict() == {
        "expression": "resultExpression",
        "type": "UNKNOWN",
        "message": "m",
        "span": [0, 1],
    }


async def test_warnings_of_a_stage_run_again_in_the_feel_pool_are_recorded_once() -> None:
    """An expression over the inline step budget is evaluated again in the runtime's FEEL
    pool (app.runtime.feel_runner): its warnings come from that run, once."""
    from app.runtime.executor import RuntimeLimits

    history = MemoryHistorySink()
    runtime = ConnectorRuntime(
        {warned.type: warned}, history=history, limits=RuntimeLimits(feel_inline_steps=5_000)
    )
    expression = "={n: count(for x in 1..50000 return x), a: foo(status)}"
    job = Job.create(
        type=warned.type,
        variables={"password": PASSWORD},
        custom_headers={"resultExpression": expression},
    )
    try:
        result = await runtime.execute(job, source="rest")
    finally:
        runtime.close()
    assert result.outcome == Complete({"n": 50_000, "a": None})
    assert runtime.feel.offloaded == 1
    start = expression.index("foo")
    assert [(w.type, w.span) for w in result.record.warnings] == [
        ("NO_FUNCTION_FOUND", (start, start + len("foo(status)")))
    ]
