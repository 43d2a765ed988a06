"""The test gateway itself, driven by pyzeebe's real adapter over gRPC."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import grpc
import pytest
from pyzeebe.errors import (
    JobAlreadyDeactivatedError,
    JobNotFoundError,
    ZeebeBackPressureError,
    ZeebeGatewayUnavailableError,
)
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from tests.support.gateway import GatewayTimeout, TestGateway
from tests.zeebe.conftest import activate

pytestmark = pytest.mark.timeout(30)

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:error id="err1" name="e" errorCode="NOPE" />
  <bpmn:process id="two-steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:serviceTask id="first">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="step-one" retries="5" />
        <zeebe:ioMapping>
          <zeebe:input source="static" target="mode" />
          <zeebe:input source="=order.id" target="request.id" />
          <zeebe:input source="=&quot;#&quot; + string(order.id * 2)" target="request.label" />
        </zeebe:ioMapping>
        <zeebe:taskHeaders>
          <zeebe:header key="resultVariable" value="r" />
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:serviceTask id="second">
      <bpmn:extensionElements><zeebe:taskDefinition type="step-two" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="caught" attachedToRef="second">
      <bpmn:errorEventDefinition errorRef="err1" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="caught" targetRef="handled" />
    <bpmn:endEvent id="end" />
    <bpmn:endEvent id="handled" />
  </bpmn:process>
</bpmn:definitions>
"""


async def test_activate_and_complete(gateway: TestGateway, adapter: ZeebeAdapter) -> None:
    job = gateway.add_job("t", {"a": 1, "b": "x"}, {"resultVariable": "r"}, retries=4)
    [got] = await activate(adapter, "t", worker="w1")
    assert (got.key, got.variables, got.custom_headers, got.retries) == (
        job.key,
        {"a": 1, "b": "x"},
        {"resultVariable": "r"},
        4,
    )
    assert job.state == "activated" and job.worker == "w1"
    assert got.deadline == job.deadline_ms > time.time() * 1000
    await adapter.complete_job(job.key, {"out": True})
    assert job.state == "completed" and job.completed_variables == {"out": True}
    assert [c.code for c in gateway.calls_to("CompleteJob")] == [grpc.StatusCode.OK]
    with pytest.raises(JobNotFoundError):
        await adapter.complete_job(job.key, {})


async def test_fetch_variables_and_max_jobs(gateway: TestGateway, adapter: ZeebeAdapter) -> None:
    gateway.add_jobs("t", 5, variables={"a": 1, "b": 2, "c": 3})
    gateway.add_job("other")
    jobs = await activate(adapter, "t", max_jobs=2, fetch=["a", "c", "missing"])
    assert len(jobs) == 2
    assert all(j.variables == {"a": 1, "c": 3} for j in jobs)
    request = gateway.calls_to("ActivateJobs")[0].request
    assert request.maxJobsToActivate == 2 and list(request.fetchVariable) == ["a", "c", "missing"]
    assert len(await activate(adapter, "t")) == 3
    assert await activate(adapter, "t") == []


async def test_long_polling_returns_when_a_job_arrives(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    poll = asyncio.create_task(activate(adapter, "late", request_timeout_ms=10_000))
    await gateway.wait_for(lambda: gateway.calls_to("ActivateJobs"))
    assert not poll.done()
    job = gateway.add_job("late")
    jobs = await asyncio.wait_for(poll, 5)
    assert [j.key for j in jobs] == [job.key]


async def test_long_polling_honours_request_timeout(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    started = time.monotonic()
    assert await activate(adapter, "none", request_timeout_ms=300) == []
    assert 0.28 <= time.monotonic() - started < 3
    started = time.monotonic()
    assert await activate(adapter, "none", request_timeout_ms=-1) == []
    assert time.monotonic() - started < 2  # immediate, not the 10 s default long poll


async def test_fail_with_backoff_is_not_reactivated_before_it(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    job = gateway.add_job("t", retries=3)
    await activate(adapter, "t")
    failed_at = time.monotonic()
    await adapter.fail_job(job.key, retries=2, message="boom", retry_back_off_ms=400, variables={})
    assert job.state == "failed" and job.retries == 2
    assert await activate(adapter, "t") == []
    [again] = await activate(adapter, "t", request_timeout_ms=5000)
    assert time.monotonic() - failed_at >= 0.39
    assert again.key == job.key and again.retries == 2 and job.activations == 2
    assert [(f.retries, f.message, f.backoff_ms) for f in job.failures] == [(2, "boom", 400)]


async def test_fail_without_retries_raises_an_incident(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    job = gateway.add_job("t")
    await activate(adapter, "t")
    await adapter.fail_job(
        job.key,
        retries=0,
        message="bad input",
        retry_back_off_ms=0,
        variables={"error": {"code": "X"}},
    )
    assert job.state == "incident"
    assert [(i.job_key, i.message) for i in gateway.incidents] == [(job.key, "bad input")]
    assert job.failures[0].variables == {"error": {"code": "X"}}
    assert await activate(adapter, "t") == []


async def test_throw_error_and_state_checks(gateway: TestGateway, adapter: ZeebeAdapter) -> None:
    """Zeebe accepts ThrowError for an activatable or activated job
    (camunda/camunda zeebe/engine/.../processing/job/JobThrowErrorProcessor.java); the
    uncaught error leaves the job in ERROR_THROWN, which answers FAILED_PRECONDITION."""
    job = gateway.add_job("t")
    await activate(adapter, "t")
    await adapter.throw_error(job.key, "not found", {"v": 1}, error_code="404")
    with pytest.raises(JobAlreadyDeactivatedError):
        await adapter.complete_job(job.key, {})
    assert (job.state, job.error_code, job.error_message, job.error_variables) == (
        "error_thrown",
        "404",
        "not found",
        {"v": 1},
    )


async def test_job_timeout_reactivates_and_update_extends(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    job = gateway.add_job("t")
    await activate(adapter, "t", timeout_ms=300)
    [again] = await activate(adapter, "t", timeout_ms=300, request_timeout_ms=5000)
    assert again.key == job.key and job.timeouts == 1 and job.activations == 2
    await adapter.update_job_timeout(job.key, 60_000)
    assert job.timeout_updates == [60_000]
    assert await activate(adapter, "t", request_timeout_ms=500) == []
    assert job.state == "activated" and job.timeouts == 1


async def test_fault_injection(gateway: TestGateway, adapter: ZeebeAdapter) -> None:
    gateway.inject("Topology", grpc.StatusCode.UNAVAILABLE, count=2)
    for _ in range(2):
        with pytest.raises(ZeebeGatewayUnavailableError):
            await adapter.topology()
    assert (await adapter.topology()).brokers[0].partitions[0].partition_id == 1
    gateway.inject("*", grpc.StatusCode.RESOURCE_EXHAUSTED)
    with pytest.raises(ZeebeBackPressureError):
        await activate(adapter, "t")
    job = gateway.add_job("t")
    await activate(adapter, "t")
    gateway.inject("CompleteJob", grpc.StatusCode.NOT_FOUND)
    with pytest.raises(JobNotFoundError):
        await adapter.complete_job(job.key, {})
    assert job.state == "activated"
    assert [c.code for c in gateway.calls_to("Topology")] == [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.OK,
    ]


async def test_restart_on_the_same_port_keeps_jobs(
    gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    address = gateway.address
    job = gateway.add_job("t")
    await gateway.stop()
    with pytest.raises(ZeebeGatewayUnavailableError):
        await adapter.topology()
    await gateway.start()
    assert gateway.address == address
    await asyncio.wait_for(adapter._channel.channel_ready(), 10)
    assert [j.key for j in await activate(adapter, "t")] == [job.key]


async def test_wait_for_times_out_with_a_message(gateway: TestGateway) -> None:
    with pytest.raises(GatewayTimeout, match="never"):
        await gateway.wait_for(lambda: False, timeout=0.05, what="never")


async def test_required_token(adapter: ZeebeAdapter, gateway: TestGateway) -> None:
    gateway.required_token = "s3cret"
    with pytest.raises(Exception) as info:
        await adapter.topology()
    assert gateway.calls_to("Topology")[-1].code == grpc.StatusCode.UNAUTHENTICATED
    assert "s3cret" not in str(info.value)


async def test_deploy_and_run_a_process(gateway: TestGateway, adapter: ZeebeAdapter) -> None:
    response = await adapter._gateway_stub.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name="two.bpmn", content=BPMN)])
    )
    assert response.deployments[0].process.bpmnProcessId == "two-steps"
    created = await adapter.create_process_instance("two-steps", -1, {"order": {"id": 7}})
    [first] = await activate(adapter, "step-one")
    assert first.process_instance_key == created.process_instance_key
    assert first.retries == 5 and first.custom_headers == {"resultVariable": "r"}
    assert first.variables == {
        "order": {"id": 7},
        "mode": "static",
        "request": {"id": 7, "label": "#14"},
    }
    await adapter.complete_job(first.key, {"r": "done"})
    [second] = await activate(adapter, "step-two")
    assert second.variables["r"] == "done"
    await adapter.throw_error(second.key, "no", {}, error_code="NOPE")
    instance = gateway.instances[created.process_instance_key]
    assert instance.state == "completed" and instance.visited[-1] == "handled"


async def test_separate_process_reports_statistics() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.gateway",
        "--jobs",
        "3",
        "--type",
        "noop",
        "--report",
        "--max-seconds",
        "20",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        assert line.startswith("LISTENING 127.0.0.1:")
        channel = grpc.aio.insecure_channel(line.split()[1])
        adapter = ZeebeAdapter(channel)
        jobs = await activate(adapter, "noop")
        assert len(jobs) == 3
        for job in jobs:
            await adapter.complete_job(job.key, {})
        await channel.close()
        stats = json.loads(await asyncio.wait_for(proc.stdout.readline(), 15))
        assert stats["finished"] == 3 and stats["completed"] == 3 and stats["jobs_per_s"] > 0
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
