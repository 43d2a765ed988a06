"""How the worker sends outcomes: Camunda's retry rules, strict JSON, results kept while the
gateway is unavailable (issue 14 point 8, issue 15)."""

from __future__ import annotations

import json
import time

import grpc
import pytest

from app.runtime.failures import fail_message
from app.runtime.model import Fail
from app.runtime.registry import ConnectorRegistry
from connectors.sdk.javaforms import java_value_of as java_string
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually
from tests.zeebe import connectors as tc

pytestmark = pytest.mark.timeout(40)

ECHO = "switchboard:echo:1"


# Camunda: camunda/camunda clients/java/.../io/camunda/client/jobhandling/
# JobCallbackCommandWrapper.java (RETRIABLE_CODES, IGNORABLE_FAILURE_CODES, hasMoreRetries) with
# maxRetries = SpringConnectorJobHandler.MAX_ZEEBE_COMMAND_RETRIES = 3 (camunda/connectors
# connector-runtime-spring/.../outbound/job/SpringConnectorJobHandler.java).
@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.DATA_LOSS,
    ],
)
async def test_retriable_codes_are_retried_at_most_three_times(
    start_worker, gateway: TestGateway, code: grpc.StatusCode
) -> None:
    await start_worker()
    gateway.inject("CompleteJob", code, count=5)
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_calls("CompleteJob", 3)
    # Give a fourth attempt every chance to happen: the next job's command goes through.
    other = gateway.add_job(ECHO, {})
    gateway.clear_faults()
    await gateway.wait_for_state(other, "completed")
    mine = [c.code for c in gateway.calls_to("CompleteJob") if c.request.jobKey == job.key]
    assert mine == [code, code, code]
    assert job.state == "activated"  # left for Zeebe to hand out again after its timeout


async def test_retriable_code_then_success(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    gateway.inject("CompleteJob", grpc.StatusCode.RESOURCE_EXHAUSTED, count=2)
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(job, "completed")
    codes = [c.code for c in gateway.calls_to("CompleteJob")]
    assert codes == [
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.OK,
    ]


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.PERMISSION_DENIED,
    ],
)
async def test_other_codes_are_not_retried(
    start_worker, gateway: TestGateway, code: grpc.StatusCode
) -> None:
    await start_worker()
    gateway.inject("CompleteJob", code)
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_calls("CompleteJob", 1)
    other = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(other, "completed")
    assert [c.code for c in gateway.calls_to("CompleteJob") if c.request.jobKey == job.key] == [
        code
    ]


async def test_nan_result_never_reaches_the_gateway_as_invalid_json(
    start_worker, gateway: TestGateway
) -> None:
    """Python's json writes NaN, Zeebe answers INVALID_ARGUMENT; retrying that looped until
    the job timed out and ran again, with no incident. Now: strict JSON, and a result that
    cannot be sent fails the job with retries 0 (an incident an operator sees)."""
    await start_worker()
    job = gateway.add_job("test:nan:1", {}, {"resultVariable": "r"}, retries=3)
    await gateway.wait_for_state(job, "incident")
    assert gateway.calls_to("CompleteJob") == []
    [fail] = gateway.calls_to("FailJob")
    assert fail.code == grpc.StatusCode.OK
    assert fail.request.retries == 0
    assert "not valid JSON" in fail.request.errorMessage
    for call in gateway.calls:
        text = getattr(call.request, "variables", "")
        if text:
            json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} sent"))


async def test_gateway_refuses_nan_variables() -> None:
    """The test gateway refuses NaN as Zeebe does (its JSON-to-MessagePack conversion has no
    NaN), so a worker that sends it is caught by the tests."""
    from pyzeebe.proto import gateway_pb2 as pb
    from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

    async with TestGateway() as gw:
        job = gw.add_job("t")
        async with grpc.aio.insecure_channel(gw.address) as channel:
            stub = pb_grpc.GatewayStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"v":NaN}'))
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.FailJob(
                    pb.FailJobRequest(jobKey=job.key, retries=1, variables='{"v":Infinity}')
                )
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert job.state == "activatable"


def test_fail_message_carries_camundas_error_variables_suffix() -> None:
    """SpringConnectorJobHandler.prepareFailJobCommand: message + " | Error variables: " +
    the variables (a Java Map's toString), the whole capped at 6000 characters."""
    outcome = Fail(
        message="HTTP 500",
        retries=2,
        variables={"error": {"code": "500", "variables": {"n": 1, "x": 2.5, "ok": True}}},
    )
    assert fail_message(outcome) == (
        "HTTP 500 | Error variables: {error={code=500, variables={n=1, x=2.5, ok=true}}}"
    )
    assert fail_message(Fail(message="plain", retries=0)) == "plain"
    assert len(fail_message(Fail(message="m" * 5990, retries=0, variables={"a": "b" * 50}))) == 6000
    assert java_string([None, 1e7, 0.001, 1.5e-5, -2.0]) == "[null, 1.0E7, 0.001, 1.5E-5, -2.0]"


async def test_unavailable_gateway_keeps_the_result_until_the_deadline(
    start_worker, gateway: TestGateway
) -> None:
    """Beyond Camunda (which gives up after three attempts): while the gateway is
    UNAVAILABLE the finished result is kept and sent once it is back, within the job's
    deadline; readiness counts the pending command. Before: given up after 8 attempts
    (~1.5 s with a 0.3 s backoff cap), the connector ran again."""
    harness = await start_worker(connectors=(tc.gated,), worker_job_timeout_seconds=30)
    job = gateway.add_job("test:gated:1", {"n": 1}, {"resultVariable": "r"})
    await eventually(lambda: tc.GATE.running == 1, what="the connector to run")
    await gateway.stop()
    tc.GATE.open.set()
    status = await eventually(
        lambda: (s := harness.service.status())["pendingCommands"] == 1 and s,
        what="one pending command",
    )
    assert status["status"] == "down"
    await _sleep_past_old_give_up()
    await gateway.start()
    await gateway.wait_for_state(job, "completed", timeout=10)
    assert tc.GATE.calls == 1  # not run twice
    assert job.completed_variables == {"r": {"n": 1}}
    await eventually(lambda: harness.service.status()["pendingCommands"] == 0, what="none pending")


async def test_no_stacked_backoff_on_reconnect(start_worker, gateway: TestGateway) -> None:
    """The kept command waits for the channel to be READY (wait_for_ready) instead of
    sleeping a backoff of its own on top of the channel's reconnect backoff."""
    await start_worker(connectors=(tc.gated,), worker_reconnect_max_backoff_seconds=2.0)
    job = gateway.add_job("test:gated:1", {"n": 1})
    await eventually(lambda: tc.GATE.running == 1, what="the connector to run")
    await gateway.stop()
    tc.GATE.open.set()
    await _sleep(4.5)  # both backoffs reach their cap
    restarted = time.monotonic()
    await gateway.start()
    await gateway.wait_for_state(job, "completed", timeout=10)
    [call] = [c for c in gateway.calls_to("CompleteJob") if c.code == grpc.StatusCode.OK]
    # One backoff (the channel's, capped at 2 s, +20 % jitter) at most; stacked ones reach 4 s.
    assert call.at - restarted < 3.0


async def test_job_lock_from_camundas_connector_timeout_variable(
    start_worker, gateway: TestGateway
) -> None:
    """A migrated ``CONNECTOR_HTTP_REST_TIMEOUT=60000`` gives the REST connector's jobs a
    60-second lock (camunda/connectors: ConnectorConfigurationOverrides, milliseconds)."""
    registry = ConnectorRegistry.from_environment({"CONNECTOR_HTTP_REST_TIMEOUT": "60000"})
    rest = registry.get("io.camunda:http-json:1")
    assert rest is not None and rest.name == "HTTP REST"
    await start_worker(connectors=(rest,))
    job = gateway.add_job("io.camunda:http-json:1", {})
    await gateway.wait_for(lambda: job.activations >= 1)
    calls = [
        c
        for c in gateway.calls
        if c.method in ("ActivateJobs", "StreamActivatedJobs")
        and c.request.type == "io.camunda:http-json:1"
    ]
    assert calls and {c.request.timeout for c in calls} == {60_000}
    assert 59_000 <= job.deadline_ms - int(time.time() * 1000) <= 60_000


async def _sleep_past_old_give_up() -> None:
    await _sleep(2.5)


async def _sleep(seconds: float) -> None:
    # An outage has to last this long: the scenario is time itself, not a wait for a result.
    import asyncio

    await asyncio.sleep(seconds)
