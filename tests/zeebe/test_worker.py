"""End to end: ZeebeService (real pyzeebe client, real runtime) <-> test gateway over gRPC."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb

from app.runtime.model import Fail
from tests.support.gateway import ACTIVATABLE, GatewayJob, TestGateway
from tests.support.waiting import eventually
from tests.zeebe import connectors as tc

pytestmark = pytest.mark.timeout(30)

ECHO = "switchboard:echo:1"


async def fail_request(gw: TestGateway, job: GatewayJob) -> pb.FailJobRequest:
    """The first FailJob the worker sent for ``job`` (waits for it)."""
    calls = await gw.wait_for(
        lambda: [c for c in gw.calls_to("FailJob") if c.request.jobKey == job.key and c.code]
    )
    return calls[0].request


# ---------------------------------------------------------------- result headers


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, {}),
        ({"resultVariable": "r"}, {"r": {"a": 1, "b": {"c": "x"}}}),
        ({"resultExpression": "={out: b.c, twice: a * 2}"}, {"out": "x", "twice": 2}),
        (
            {"resultVariable": "r", "resultExpression": "={r: 5, extra: response.a}"},
            {"r": 5, "extra": 1},
        ),
        ({"resultVariable": "r", "resultExpression": "=null"}, {"r": {"a": 1, "b": {"c": "x"}}}),
        ({"resultVariable": "", "resultExpression": ""}, {}),
    ],
)
async def test_result_headers(start_worker, gateway: TestGateway, headers, expected) -> None:
    await start_worker()
    job = gateway.add_job(ECHO, {"a": 1, "b": {"c": "x"}}, headers)
    await gateway.wait_for_state(job, "completed")
    assert job.completed_variables == expected
    [call] = gateway.calls_to("CompleteJob")
    assert json.loads(call.request.variables) == expected


async def test_fetch_variables_are_the_connector_inputs(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    job = gateway.add_job("test:needs:1", {"url": "http://x", "count": 2, "other": "no"})
    await gateway.wait_for_state(job, "completed")
    fetch = {
        tuple(c.request.fetchVariable)
        for c in gateway.calls_to("ActivateJobs")
        if c.request.type == "test:needs:1"
    }
    assert fetch == {("url", "count")}
    echo_calls = await gateway.wait_for(
        lambda: [c for c in gateway.calls_to("ActivateJobs") if c.request.type == ECHO]
    )
    echo_fetch = {tuple(c.request.fetchVariable) for c in echo_calls}
    assert echo_fetch == {()}  # no input variables declared: fetch all
    request = next(c.request for c in gateway.calls_to("ActivateJobs"))
    assert request.worker == "switchboard-test" and request.requestTimeout == 2000


async def test_worker_options_reach_the_gateway(start_worker, gateway: TestGateway) -> None:
    await start_worker(
        worker_name="w-7",
        worker_max_jobs_to_activate=4,
        worker_job_timeout_seconds=42,
        worker_request_timeout_seconds=1.5,
    )
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(job, "completed")
    request = next(c.request for c in gateway.calls_to("ActivateJobs") if c.request.type == ECHO)
    assert (request.worker, request.maxJobsToActivate, request.timeout, request.requestTimeout) == (
        "w-7",
        4,
        42_000,
        1500,
    )
    assert job.worker == "w-7"
    # A connector timeout longer than the job timeout extends the lock (5 s margin).
    [slow, *_] = await gateway.wait_for(
        lambda: [
            c.request for c in gateway.calls_to("ActivateJobs") if c.request.type == "test:slow:1"
        ]
    )
    assert slow.timeout == 42_000  # 0.2 s + 5 s is shorter than 42 s


# ---------------------------------------------------------------- failures


async def test_connector_error_fails_with_retries_minus_one_and_header_backoff(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job(
        ECHO,
        {"fail_code": "502", "fail_message": "upstream down"},
        {"retryBackoff": "PT2S"},
        retries=3,
    )
    await gateway.wait_for_state(job, "failed")
    request = await fail_request(gateway, job)
    # Camunda appends the error variables to the message (Java Map.toString form):
    # camunda/connectors connector-runtime-spring/.../outbound/job/SpringConnectorJobHandler.java
    # prepareFailJobCommand.
    assert (request.retries, request.retryBackOff) == (2, 2000)
    assert request.errorMessage == (
        "upstream down | Error variables: {error={type=io.camunda.connector.api.error."
        "ConnectorException, message=upstream down, code=502}}"
    )
    error = json.loads(request.variables)["error"]
    assert error["code"] == "502" and error["message"] == "upstream down"
    assert job.activations == 1  # the 2 s backoff holds it back


async def test_failed_job_is_retried_after_backoff_until_incident(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job(ECHO, {"fail_code": "X"}, {"retryBackoff": "PT0.2S"}, retries=2)
    await gateway.wait_for_state(job, "incident", timeout=5)
    assert [(f.retries, f.backoff_ms) for f in job.failures] == [(1, 200), (0, 200)]
    assert job.activations == 2
    assert [i.job_key for i in gateway.incidents] == [job.key]


async def test_invalid_retry_backoff_fails_without_retries_or_running(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    for header in ("", "5 seconds"):
        job = gateway.add_job("test:gated:1", {"n": 1}, {"retryBackoff": header}, retries=3)
        await gateway.wait_for_state(job, "incident")
        assert (await fail_request(gateway, job)).retries == 0
        assert "retryBackoff" in job.failures[0].message
    assert tc.GATE.calls == 0


async def test_input_error_fails_with_zero_retries(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    job = gateway.add_job("test:needs:1", {"url": "http://x", "count": "many"}, retries=5)
    await gateway.wait_for_state(job, "incident")
    request = await fail_request(gateway, job)
    assert request.retries == 0
    assert "count" in request.errorMessage


async def test_retry_error_overrides_retries_and_backoff(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job("test:retry:1", {}, {"retryBackoff": "PT9S"}, retries=2)
    await gateway.wait_for_state(job, "failed")
    request = await fail_request(gateway, job)
    assert (request.retries, request.retryBackOff) == (7, 1500)


async def test_connector_timeout_fails_with_retries_minus_one(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job("test:slow:1", {}, retries=3)
    request = await fail_request(gateway, job)
    assert request.retries == 2
    assert "did not finish within 0.2 seconds" in request.errorMessage


async def test_sync_connector_crash_fails_with_retries_minus_one(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job("test:crash:1", {"who": "me"}, retries=4)
    request = await fail_request(gateway, job)
    assert request.retries == 3 and "crashed for me" in request.errorMessage


# ---------------------------------------------------------------- error expression


async def test_bpmn_error_from_error_expression(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    expression = (
        '=if error.code = "404" then bpmnError("NOT_FOUND", "missing: " + error.message, '
        "{why: error.code}) else null"
    )
    job = gateway.add_job(
        ECHO, {"fail_code": "404", "fail_message": "no user"}, {"errorExpression": expression}
    )
    await gateway.wait_for_state(job, "error_thrown")
    [call] = gateway.calls_to("ThrowError")
    assert (call.request.errorCode, call.request.errorMessage) == ("NOT_FOUND", "missing: no user")
    assert json.loads(call.request.variables) == {"why": "404"}


async def test_bpmn_error_after_success(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    job = gateway.add_job(
        ECHO,
        {"status": "rejected"},
        {
            "resultVariable": "r",
            "errorExpression": '=if r.status = "rejected" then bpmnError("REJ", "no") else null',
        },
    )
    await gateway.wait_for_state(job, "error_thrown")
    assert job.error_code == "REJ"


async def test_job_error_from_error_expression(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    expression = '=jobError("custom failure", {hint: "x"}, 1, duration("PT0.5S"))'
    job = gateway.add_job(ECHO, {"fail_code": "500"}, {"errorExpression": expression}, retries=3)
    await gateway.wait_for(lambda: job.failures)
    request = await fail_request(gateway, job)
    assert (request.retries, request.retryBackOff) == (1, 500)
    variables = json.loads(request.variables)
    assert variables["hint"] == "x"
    assert request.errorMessage.startswith("custom failure | Error variables: {")
    assert "hint=x" in request.errorMessage


async def test_job_error_defaults_to_no_retries(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    job = gateway.add_job(ECHO, {}, {"errorExpression": '=jobError("stop")'}, retries=3)
    await gateway.wait_for_state(job, "incident")
    request = await fail_request(gateway, job)
    assert (request.retries, request.retryBackOff) == (0, 0)


async def test_ignore_error_completes(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    expression = "=if error != null then ignoreError({ignored: error.code}) else null"
    job = gateway.add_job(ECHO, {"fail_code": "409"}, {"errorExpression": expression})
    await gateway.wait_for_state(job, "completed")
    assert job.completed_variables == {"ignored": "409"}


async def test_failing_error_expression_is_an_input_error(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job(ECHO, {}, {"errorExpression": "=bpmnError("}, retries=3)
    await gateway.wait_for_state(job, "incident")
    assert (await fail_request(gateway, job)).retries == 0


# ---------------------------------------------------------------- jobTimeout header


async def test_job_timeout_header_extends_the_deadline_before_running(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job("test:gated:1", {"n": 1}, {"jobTimeout": "PT10M"})
    await eventually(lambda: tc.GATE.running == 1, what="the connector to start")
    assert job.timeout_updates == [600_000]  # sent before the connector ran
    tc.GATE.open.set()
    await gateway.wait_for_state(job, "completed")
    methods = [
        c.method
        for c in gateway.calls
        if c.method not in ("ActivateJobs", "StreamActivatedJobs", "Topology")
    ]
    assert methods == ["UpdateJobTimeout", "CompleteJob"]


async def test_job_gone_before_timeout_update_is_not_run(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    gateway.inject("UpdateJobTimeout", grpc.StatusCode.NOT_FOUND)
    job = gateway.add_job("test:gated:1", {"n": 1}, {"jobTimeout": "PT1M"})
    await gateway.wait_for_calls("UpdateJobTimeout", 1)
    ok = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(ok, "completed")
    assert tc.GATE.calls == 0 and job.state == "activated"
    assert not [
        c
        for c in gateway.calls
        if c.method in ("CompleteJob", "FailJob") and c.request.jobKey == job.key
    ]


async def test_timeout_update_failing_transiently_still_runs_the_job(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    gateway.inject("UpdateJobTimeout", grpc.StatusCode.UNAVAILABLE)
    job = gateway.add_job(ECHO, {}, {"jobTimeout": "PT1M"})
    await gateway.wait_for_state(job, "completed")
    assert job.timeout_updates == []


async def test_invalid_job_timeout_header_fails_without_retries(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    job = gateway.add_job(ECHO, {}, {"jobTimeout": "ten minutes"}, retries=3)
    await gateway.wait_for_state(job, "incident")
    assert (await fail_request(gateway, job)).retries == 0
    assert gateway.calls_to("UpdateJobTimeout") == []


async def test_combined_headers(start_worker, gateway: TestGateway) -> None:
    harness = await start_worker()
    headers = {
        "resultVariable": "raw",
        "resultExpression": "={value: response.a + 1}",
        "errorExpression": '=if value > 100 then bpmnError("BIG", "too big") else null',
        "retryBackoff": "PT1S",
        "jobTimeout": "PT1M",
        "elementTemplateId": "io.switchboard.connectors.Echo.v1",
        "elementTemplateVersion": "1",
    }
    small = gateway.add_job(ECHO, {"a": 1}, headers)
    big = gateway.add_job(ECHO, {"a": 500}, headers)
    await gateway.wait_for_state(small, "completed")
    await gateway.wait_for_state(big, "error_thrown")
    assert small.completed_variables == {"raw": {"a": 1}, "value": 2}
    assert big.error_code == "BIG"
    assert small.timeout_updates == [60_000] and big.timeout_updates == [60_000]
    # Template id and version are tags only: history carries them, the job does not change.
    tags = {
        (r.job.key, r.element_template_id, r.element_template_version)
        for r in harness.history.records
    }
    assert tags == {
        (small.key, "io.switchboard.connectors.Echo.v1", "1"),
        (big.key, "io.switchboard.connectors.Echo.v1", "1"),
    }


# ---------------------------------------------------------------- concurrency


async def test_concurrency_limit_is_honoured(start_worker, gateway: TestGateway) -> None:
    await start_worker(worker_max_running_jobs=3, worker_max_jobs_to_activate=10)
    jobs = [gateway.add_job("test:gated:1", {"n": i}, {"resultVariable": "r"}) for i in range(8)]
    await eventually(lambda: tc.GATE.running == 3, what="3 running jobs")
    # Give the poller every chance to over-activate: another long poll must not start.
    await gateway.wait_for(lambda: gateway.active_count("test:gated:1") == 3)
    assert gateway.active_count("test:gated:1") == 3
    assert all(
        c.request.maxJobsToActivate <= 3
        for c in gateway.calls_to("ActivateJobs")
        if c.request.type == "test:gated:1"
    )
    tc.GATE.open.set()
    for job in jobs:
        await gateway.wait_for_state(job, "completed")
    assert tc.GATE.peak == 3 and tc.GATE.calls == 8
    assert sorted(
        j.completed_variables["r"]["n"] for j in jobs if j.completed_variables is not None
    ) == list(range(8))


# ---------------------------------------------------------------- gateway trouble


async def test_transient_command_errors_are_retried(start_worker, gateway: TestGateway) -> None:
    await start_worker()
    gateway.inject("CompleteJob", grpc.StatusCode.UNAVAILABLE, count=2)
    job = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(job, "completed")
    codes = [c.code for c in gateway.calls_to("CompleteJob")]
    assert codes == [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.OK]


async def test_not_found_on_complete_is_dropped_and_work_goes_on(
    start_worker, gateway: TestGateway
) -> None:
    await start_worker()
    gateway.inject("CompleteJob", grpc.StatusCode.NOT_FOUND)
    first = gateway.add_job(ECHO, {})
    await gateway.wait_for_calls("CompleteJob", 1)
    second = gateway.add_job(ECHO, {})
    await gateway.wait_for_state(second, "completed")
    assert first.state == "activated"  # not retried: the gateway said it is gone
    assert len(gateway.calls_to("CompleteJob")) == 2


async def test_activation_back_pressure_and_unavailable_are_retried(
    start_worker, gateway: TestGateway, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.inject("ActivateJobs", grpc.StatusCode.RESOURCE_EXHAUSTED, count=2)
    gateway.inject("ActivateJobs", grpc.StatusCode.UNAVAILABLE, count=2)
    with caplog.at_level(logging.WARNING, logger="app.engines.zeebe"):
        harness = await start_worker(connectors=(tc.needs,))
        job = gateway.add_job("test:needs:1", {"url": "u", "count": 1})
        await gateway.wait_for_state(job, "completed")
    codes = [c.code for c in gateway.calls_to("ActivateJobs")][:4]
    assert codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 2
    assert codes.count(grpc.StatusCode.UNAVAILABLE) == 2
    assert harness.service.status()["status"] == "up"
    # Four failed attempts in one outage: one warning, not one per attempt.
    retries = [r for r in caplog.records if "activating test:needs:1 jobs failed" in r.message]
    assert len(retries) == 1


async def test_reconnects_after_the_gateway_restarts(start_worker, gateway: TestGateway) -> None:
    harness = await start_worker()
    service = harness.service
    await eventually(lambda: service.status()["status"] == "up", what="status up")
    first = gateway.add_job(ECHO, {"n": 1})
    await gateway.wait_for_state(first, "completed")
    await gateway.stop()
    down = await eventually(
        lambda: (s := service.status())["status"] == "down" and s, what="status down"
    )
    assert "Unavailable" in down["error"] or "UNAVAILABLE" in down["error"]
    second = gateway.add_job(ECHO, {"n": 2})
    await gateway.start()
    await gateway.wait_for_state(second, "completed", timeout=10)
    await eventually(lambda: service.status()["status"] == "up", what="status up again")


# ---------------------------------------------------------------- status and shutdown


async def test_status(start_worker, gateway: TestGateway) -> None:
    harness = await start_worker()
    status = await eventually(
        lambda: (s := harness.service.status())["status"] == "up" and s, what="status up"
    )
    assert status["address"] == gateway.address
    assert status["gatewayVersion"] == "8.6.0-switchboard-test"
    assert "switchboard:echo:1" in status["jobTypes"]
    assert gateway.calls_to("Topology")
    await harness.service.stop()
    assert harness.service.status()["status"] == "down"


async def test_disabled_without_an_address() -> None:
    from app.engines.zeebe import ZeebeService
    from app.runtime.executor import ConnectorRuntime
    from tests.zeebe.conftest import worker_settings

    service = ZeebeService(worker_settings(None), ConnectorRuntime({}), [])
    assert not service.enabled
    await service.start()
    assert service.status()["status"] == "disabled"
    await service.stop()


async def test_graceful_shutdown_lets_running_jobs_finish(
    start_worker, gateway: TestGateway
) -> None:
    harness = await start_worker(shutdown_grace_seconds=5)
    job = gateway.add_job("test:gated:1", {"n": 1})
    await eventually(lambda: tc.GATE.running == 1, what="the job to run")
    stopping = asyncio.create_task(harness.service.stop())
    await gateway.wait_for(
        lambda: not any(c.code is None for c in gateway.calls_to("ActivateJobs")),
        what="long polls to end",
    )
    assert not stopping.done()
    late = gateway.add_job("test:gated:1", {"n": 2})
    activations = len(gateway.calls_to("ActivateJobs"))
    tc.GATE.open.set()
    await asyncio.wait_for(stopping, 5)
    assert job.state == "completed"
    assert late.state == "activatable" and len(gateway.calls_to("ActivateJobs")) == activations
    assert harness.service.last_shutdown == {"finished": 1, "abandoned": 0}


async def test_shutdown_abandons_jobs_after_the_grace_period(
    start_worker, gateway: TestGateway
) -> None:
    harness = await start_worker(shutdown_grace_seconds=0.3)
    job = gateway.add_job("test:gated:1", {"n": 1})
    await eventually(lambda: tc.GATE.running == 1, what="the job to run")
    started = time.monotonic()
    await harness.service.stop()
    assert time.monotonic() - started < 4  # the 0.3 s grace, not the job (which never ends)
    assert harness.service.last_shutdown == {"finished": 0, "abandoned": 1}
    tc.GATE.open.set()
    assert job.state == "activated"  # no command: Zeebe hands it out again after the timeout
    assert not gateway.calls_to("CompleteJob") and not gateway.calls_to("FailJob")


# ---------------------------------------------------------------- secrets and logs


async def test_secrets_are_masked_in_fail_messages_and_history(
    start_worker, gateway: TestGateway
) -> None:
    harness = await start_worker(secrets={"API_KEY": "s3cr3t-value"})
    job = gateway.add_job(
        ECHO,
        {
            "fail_code": "401",
            "fail_message": "rejected key {{secrets.API_KEY}}",
            "key": "{{secrets.API_KEY}}",
        },
        {"retryBackoff": "PT10S"},
        retries=2,
    )
    await gateway.wait_for_state(job, "failed")
    request = await fail_request(gateway, job)
    assert "s3cr3t-value" not in request.errorMessage and "***" in request.errorMessage
    assert "s3cr3t-value" not in request.variables
    [record] = [r for r in harness.history.records if r.job.key == job.key]
    assert isinstance(record.outcome, Fail) and "***" in record.outcome.message
    assert "s3cr3t-value" not in json.dumps([record.input, record.output, record.outcome.message])


async def test_logs_never_contain_job_variables(
    start_worker, gateway: TestGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await start_worker()
    ok = gateway.add_job(ECHO, {"private": "PRIVATE-VALUE-1"})
    bad = gateway.add_job("test:needs:1", {"url": "PRIVATE-VALUE-2", "count": "x"})
    await gateway.wait_for_state(ok, "completed")
    await gateway.wait_for_state(bad, "incident")
    assert "PRIVATE-VALUE" not in caplog.text
    assert str(ok.key) in caplog.text or str(bad.key) in caplog.text


# ---------------------------------------------------------------- multi-tenancy


async def test_worker_activates_jobs_of_its_tenants_only(
    start_worker, gateway: TestGateway
) -> None:
    gateway.multi_tenancy = True  # Zeebe refuses tenant ids while multi-tenancy is off
    harness = await start_worker(worker_tenant_ids="tenant-a, tenant-b")
    other = gateway.add_job(ECHO, {"who": "default"})
    mine = gateway.add_job(ECHO, {"who": "a"}, {"resultVariable": "r"}, tenant_id="tenant-a")
    await gateway.wait_for_state(mine, "completed")
    assert mine.completed_variables == {"r": {"who": "a"}}
    requests = [c.request for c in gateway.calls_to("ActivateJobs") if c.request.type == ECHO]
    assert {tuple(r.tenantIds) for r in requests} == {("tenant-a", "tenant-b")}
    # Later activation rounds still leave the default tenant's job alone.
    seen = len(gateway.calls_to("ActivateJobs"))
    await gateway.wait_for(lambda: len(gateway.calls_to("ActivateJobs")) > seen + 2)
    assert other.state == ACTIVATABLE
    [record] = [r for r in harness.history.records if r.job.key == mine.key]
    assert record.job.tenant_id == "tenant-a"
