"""Job streaming (StreamActivatedJobs) with polling as the backstop, and the test gateway's
model of Zeebe's job push (issue 17 point 1) and job states (issue 14 point 11)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from tests.support.bpmn import apply_inputs, parse_bpmn
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually
from tests.zeebe import connectors as tc
from tests.zeebe.conftest import activate

pytestmark = pytest.mark.timeout(30)

ECHO = "switchboard:echo:1"


def stream_request(job_type: str = "t", **fields: object) -> pb.StreamActivatedJobsRequest:
    values: dict[str, object] = {"type": job_type, "worker": "w", "timeout": 10_000}
    values.update(fields)
    return pb.StreamActivatedJobsRequest(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the worker


async def test_new_jobs_arrive_on_the_stream_and_older_ones_by_polling(
    start_worker, gateway: TestGateway
) -> None:
    """As Camunda's Java client (JobWorkerImpl + JobStreamerImpl): the stream carries jobs that
    become activatable while it is open; a job that was waiting before it opened is found by
    the poll loop (Zeebe never pushes a backlog)."""
    before = gateway.add_job(ECHO, {"n": 0})
    harness = await start_worker(worker_poll_interval_seconds=0.05)
    await gateway.wait_for_state(before, "completed")
    assert before.pushed == 0
    await gateway.wait_for(lambda: gateway.streams.get(ECHO), what="an open stream")
    after = [gateway.add_job(ECHO, {"n": i}) for i in range(5)]
    for job in after:
        await gateway.wait_for_state(job, "completed")
    assert all(job.pushed == 1 for job in after)
    [worker] = [w for w in harness.service.workers if w.job_type == ECHO]
    assert worker.streamed == 5
    assert harness.service.status()["streaming"] is True


async def test_polling_only_when_streaming_is_off(start_worker, gateway: TestGateway) -> None:
    await start_worker(worker_stream_enabled=False)
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(job, "completed")
    assert job.pushed == 0
    assert gateway.calls_to("StreamActivatedJobs") == []


async def test_stream_back_pressure_never_exceeds_the_limit(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker(connectors=(tc.gated,), worker_max_running_jobs=2)
    await gateway.wait_for(lambda: gateway.streams.get("test:gated:1"), what="an open stream")
    jobs = [gateway.add_job("test:gated:1", {"n": i}) for i in range(12)]
    await eventually(lambda: tc.GATE.running == 2, what="two running jobs")
    await asyncio.sleep(0.3)  # room for an over-eager worker to start a third
    assert tc.GATE.running == 2
    tc.GATE.open.set()
    for job in jobs:
        await gateway.wait_for_state(job, "completed")
    assert tc.GATE.peak == 2 and tc.GATE.calls == 12


async def test_stream_is_reopened_after_a_gateway_restart(
    start_worker, gateway: TestGateway
) -> None:
    harness = await start_worker()
    await gateway.wait_for(lambda: gateway.streams.get(ECHO), what="an open stream")
    opened = len(gateway.calls_to("StreamActivatedJobs"))
    await gateway.restart()
    await gateway.wait_for(
        lambda: gateway.streams.get(ECHO) and len(gateway.calls_to("StreamActivatedJobs")) > opened,
        timeout=10,
        what="the stream re-opened",
    )
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(job, "completed", timeout=10)
    assert job.pushed == 1
    await eventually(lambda: harness.service.status()["status"] == "up", what="status up")


# ---------------------------------------------------------------- the gateway's push


async def test_gateway_pushes_to_an_open_stream_and_leaves_the_rest_to_polling(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    """BpmnJobActivationBehavior.publishWork (camunda/camunda zeebe/engine/.../bpmn/behavior/):
    a job that becomes activatable is activated for a matching stream and pushed; without a
    stream it stays activatable for ActivateJobs."""
    lonely = gateway.add_job("t", {"a": 1})
    async with grpc.aio.insecure_channel(gateway.address) as channel:
        call = pb_grpc.GatewayStub(channel).StreamActivatedJobs(stream_request(fetchVariable=["a"]))
        await gateway.wait_for(lambda: gateway.streams.get("t"), what="the stream")
        pushed = gateway.add_job("t", {"a": 2, "b": 3})
        job = await call.read()
        assert (job.key, job.variables, job.worker) == (pushed.key, '{"a": 2}', "w")
        assert pushed.state == "activated" and lonely.state == "activatable"
        [polled] = await activate(adapter, "t")
        assert polled.key == lonely.key
        call.cancel()
    await gateway.wait_for(lambda: not gateway.streams.get("t"), what="the stream removed")
    later = gateway.add_job("t")
    assert later.pushed == 0 and later.state == "activatable"


async def test_gateway_yields_jobs_a_blocked_stream_cannot_take() -> None:
    """StreamJobsHandler.JobStreamConsumer: a push to a stream that is not ready fails, and the
    job is yielded back to activatable (JobYieldProcessor), where polling finds it."""
    async with TestGateway(stream_buffer=1) as gw:
        # The client does not read: gRPC's transport buffers a few MB, then the stream's own
        # buffer fills and it is no longer ready.
        big = {"blob": "x" * 500_000}
        async with grpc.aio.insecure_channel(gw.address) as channel:
            call = pb_grpc.GatewayStub(channel).StreamActivatedJobs(stream_request())
            await gw.wait_for(lambda: gw.streams.get("t"), what="the stream")
            jobs = []
            for _ in range(30):
                jobs.append(gw.add_job("t", big))
                await asyncio.sleep(0.01)  # let the gateway write what the transport takes
            yielded = [j for j in jobs if j.yielded]
            assert yielded and all(j.state == "activatable" for j in yielded)
            async with grpc.aio.insecure_channel(gw.address) as poller:
                adapter = ZeebeAdapter(poller)
                polled: set[int] = set()
                while batch := await activate(adapter, "t", max_jobs=4):  # < 4 MB a response
                    polled |= {j.key for j in batch}
            assert polled == {j.key for j in yielded}
            call.cancel()


async def test_stream_request_validation_as_zeebe(gateway: TestGateway) -> None:
    async with grpc.aio.insecure_channel(gateway.address) as channel:
        stub = pb_grpc.GatewayStub(channel)
        for request, text in (
            (stream_request(" "), "with type to be present, but it was blank"),
            (stream_request(timeout=0), "with timeout to be greater than zero, but it was 0"),
            (stream_request(tenantIds=["a"]), "but multi-tenancy is disabled"),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.StreamActivatedJobs(request).read()
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert text in (caught.value.details() or "")


# ---------------------------------------------------------------- job states as Zeebe


async def test_late_completion_after_the_lock_expired_succeeds(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    """Complete is valid for ACTIVATABLE and ACTIVATED jobs (JobCompleteProcessor's
    JobCommandPreconditionChecker), so a worker whose lock ran out still completes."""
    job = gateway.add_job("t")
    await activate(adapter, "t", timeout_ms=100)
    await gateway.wait_for(lambda: job.timeouts == 1, what="the lock to expire")
    assert job.state == "activatable"
    await adapter.complete_job(job.key, {"late": True})
    assert job.state == "completed" and job.completed_variables == {"late": True}


async def test_commands_on_a_job_with_an_incident_are_failed_precondition(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    job = gateway.add_job("t", retries=1)
    await activate(adapter, "t")
    await adapter.fail_job(job.key, retries=0, message="broken", retry_back_off_ms=0, variables={})
    stub = pb_grpc.GatewayStub(adapter._channel)
    for request in (
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key)),
        stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=1)),
        stub.ThrowError(pb.ThrowErrorRequest(jobKey=job.key, errorCode="E")),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await request
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "but it is in state 'FAILED'" in (caught.value.details() or "")


async def test_zero_backoff_fail_makes_the_job_activatable_at_once(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    job = gateway.add_job("t")
    await activate(adapter, "t")
    await adapter.fail_job(job.key, retries=2, message="again", retry_back_off_ms=0, variables={})
    assert job.state == "activatable"
    [again] = await activate(adapter, "t")
    assert again.key == job.key and again.retries == 2


async def test_tenants_are_refused_while_multi_tenancy_is_off(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    """InvalidTenantRequestException (camunda/camunda zeebe/gateway/.../gateway/cmd/)."""
    stub = pb_grpc.GatewayStub(adapter._channel)
    request = pb.ActivateJobsRequest(
        type="t", worker="w", timeout=1000, maxJobsToActivate=1, tenantIds=["tenant-a"]
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in stub.ActivateJobs(request):
            pass
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "but multi-tenancy is disabled" in (caught.value.details() or "")
    default = pb.ActivateJobsRequest(
        type="t",
        worker="w",
        timeout=1000,
        maxJobsToActivate=1,
        tenantIds=["<default>"],
        requestTimeout=-1,
    )
    assert [r async for r in stub.ActivateJobs(default)] == []
    gateway.multi_tenancy = True
    bad = pb.ActivateJobsRequest(
        type="t", worker="w", timeout=1000, maxJobsToActivate=1, tenantIds=["a b"]
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in stub.ActivateJobs(bad):
            pass
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_input_mappings_are_one_context_in_order() -> None:
    """A later input reads an earlier input's target (VariableMappingTransformer)."""
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="t" />
        <zeebe:ioMapping>
          <zeebe:input source="=base + 1" target="first" />
          <zeebe:input source="=first * 10" target="second" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="task" />
  </bpmn:process>
</bpmn:definitions>"""
    [definition] = parse_bpmn(xml)
    variables = apply_inputs(definition.elements["task"], {"base": 1})
    assert variables["first"] == 2 and variables["second"] == 20
