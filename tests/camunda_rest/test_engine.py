"""The REST engine end to end: the real runtime, Camunda's SDK client, real HTTP to the REST
stand-in over the test gateway. Outcomes, retries and masking are the gRPC engine's (one
runtime, two transports); the REST shapes are camunda/camunda
``zeebe/gateway-protocol/src/main/proto/v2/jobs.yaml``."""

from __future__ import annotations

import base64
import json
import logging
import time

import grpc
import pytest

from app.runtime.model import Fail
from app.runtime.registry import ConnectorRegistry
from tests.camunda_rest.conftest import Start, rest_settings
from tests.support.camunda_rest import CamundaRestStandIn, RestCall
from tests.support.gateway import GatewayJob, TestGateway
from tests.support.waiting import eventually

ECHO = "switchboard:echo:1"


async def rest_call(rest: CamundaRestStandIn, job: GatewayJob, suffix: str) -> RestCall:
    """The first answered REST command for ``job`` whose path ends with ``suffix``."""
    calls = await eventually(
        lambda: [c for c in rest.calls if c.path == f"/v2/jobs/{job.key}{suffix}"],
        what=f"a {suffix} call for job {job.key}",
    )
    return calls[0]


async def test_echo_completes_with_the_result_variable(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    harness = await start_engine()
    job = gateway.add_job(ECHO, {"a": 1}, {"resultVariable": "r"})
    await gateway.wait_for_state(job, "completed")
    assert job.completed_variables == {"r": {"a": 1}}
    call = await rest_call(rest, job, "/completion")
    assert (call.status, call.body) == (204, {"variables": {"r": {"a": 1}}})
    [record] = harness.history.records
    assert record.source == "camunda-rest" and record.job.key == job.key


async def test_activation_request_carries_the_worker_options(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    """Worker name, job timeout, batch size, long-polling time and the connector's input
    variables (fetchVariable) reach POST /v2/jobs/activation."""
    await start_engine(
        worker_name="sb-rest",
        worker_job_timeout_seconds=42,
        worker_max_jobs_to_activate=7,
        worker_request_timeout_seconds=1.5,
    )
    job = gateway.add_job("test:gated:1", {"n": 3, "other": "not fetched"})
    # Recorded once answered, which is just after the gateway activated the job.
    [gated, *_] = await eventually(
        lambda: [
            c.body
            for c in rest.calls_to("POST", "/jobs/activation")
            if c.body["type"] == "test:gated:1" and c.status == 200
        ],
        what="the answered activation for test:gated:1",
    )
    assert gated["worker"] == "sb-rest"
    assert gated["timeout"] == 42_000 and gated["requestTimeout"] == 1_500
    assert gated["maxJobsToActivate"] == 7
    assert gated["fetchVariable"] == ["n"]
    assert job.worker == "sb-rest"


async def test_connector_error_fails_with_retries_minus_one_and_header_backoff(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    await start_engine()
    job = gateway.add_job(ECHO, {"fail_code": "E1"}, {"retryBackoff": "PT30S"}, retries=3)
    await gateway.wait_for_state(job, "failed")
    call = await rest_call(rest, job, "/failure")
    assert call.status == 204
    assert call.body["retries"] == 2 and call.body["retryBackOff"] == 30_000
    # The same message as on gRPC (SpringConnectorJobHandler.prepareFailJobCommand builds it
    # for every transport): the error variables follow in Java's Map.toString form.
    assert call.body["errorMessage"] == (
        "echo failed with E1 | Error variables: {error={type=io.camunda.connector.api.error."
        "ConnectorException, message=echo failed with E1, code=E1}}"
    )
    assert call.body["variables"]["error"]["code"] == "E1"
    assert job.failures[0].retries == 2 and job.failures[0].backoff_ms == 30_000


async def test_input_error_fails_with_zero_retries(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    await start_engine()
    job = gateway.add_job("test:needs:1", {"url": "x", "count": "not a number"}, retries=5)
    await gateway.wait_for_state(job, "incident")
    call = await rest_call(rest, job, "/failure")
    assert call.body["retries"] == 0


async def test_bpmn_error_from_error_expression(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    await start_engine()
    job = gateway.add_job(
        ECHO,
        {"fail_code": "404", "fail_message": "nope"},
        {
            "errorExpression": '=if error.code = "404" then bpmnError("NOT_FOUND", error.message)'
            " else null"
        },
    )
    await gateway.wait_for_state(job, "error_thrown")
    call = await rest_call(rest, job, "/error")
    assert call.status == 204
    assert (call.body["errorCode"], call.body["errorMessage"]) == ("NOT_FOUND", "nope")
    assert job.error_code == "NOT_FOUND"


async def test_job_timeout_header_extends_the_deadline_before_running(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    """jobTimeout: PATCH /v2/jobs/{key} with changeset.timeout, before the connector runs."""
    await start_engine()
    job = gateway.add_job(ECHO, {"a": 1}, {"jobTimeout": "PT10M"})
    await gateway.wait_for_state(job, "completed")
    update = await rest_call(rest, job, "")
    assert update.method == "PATCH" and update.status == 204
    assert update.body == {"changeset": {"timeout": 600_000}}
    assert job.timeout_updates == [600_000]
    completion = await rest_call(rest, job, "/completion")
    assert update.at <= completion.at


async def test_job_gone_before_timeout_update_is_not_run(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    """A 404 on the timeout update means the job is no longer ours: it is not run."""
    harness = await start_engine()
    gateway.inject("UpdateJobTimeout", grpc.StatusCode.NOT_FOUND)
    job = gateway.add_job(ECHO, {"a": 1}, {"jobTimeout": "PT10M"})
    await eventually(
        lambda: [c for c in rest.calls if c.method == "PATCH" and c.status == 404],
        what="the refused timeout update",
    )
    other = gateway.add_job(ECHO, {"b": 2})
    await gateway.wait_for_state(other, "completed")
    assert job.state == "activated" and job.completed_variables is None
    assert all(r.job.key != job.key for r in harness.history.records)


async def test_not_found_on_complete_is_dropped_and_work_goes_on(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    await start_engine()
    gateway.inject("CompleteJob", grpc.StatusCode.NOT_FOUND)
    first = gateway.add_job(ECHO, {"a": 1})
    await eventually(
        lambda: [c for c in rest.calls_to("POST", "/completion") if c.status == 404],
        what="the refused completion",
    )
    second = gateway.add_job(ECHO, {"a": 2})
    await gateway.wait_for_state(second, "completed")
    assert len([c for c in rest.calls if c.path == f"/v2/jobs/{first.key}/completion"]) == 1


async def test_back_pressure_on_complete_is_retried(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    """503 RESOURCE_EXHAUSTED (Zeebe's back pressure) is retried, as Camunda's job handler
    retries it (camunda/camunda clients/java/.../JobCallbackCommandWrapper.java)."""
    await start_engine()
    gateway.inject("CompleteJob", grpc.StatusCode.RESOURCE_EXHAUSTED, count=2)
    job = gateway.add_job(ECHO, {"a": 1})
    await gateway.wait_for_state(job, "completed")
    statuses = [c.status for c in rest.calls if c.path == f"/v2/jobs/{job.key}/completion"]
    assert statuses == [503, 503, 204]


async def test_refused_complete_is_not_retried(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    """400 INVALID_ARGUMENT is not retried (it cannot succeed on a second try)."""
    await start_engine()
    gateway.inject("CompleteJob", grpc.StatusCode.INVALID_ARGUMENT)
    job = gateway.add_job(ECHO, {"a": 1})
    await eventually(
        lambda: [c for c in rest.calls if c.path == f"/v2/jobs/{job.key}/completion"],
        what="the refused completion",
    )
    other = gateway.add_job(ECHO, {"a": 2})
    await gateway.wait_for_state(other, "completed")
    assert [c.status for c in rest.calls if c.path == f"/v2/jobs/{job.key}/completion"] == [400]


async def test_activation_failures_back_off_and_recover(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    harness = await start_engine()
    gateway.inject("ActivateJobs", grpc.StatusCode.UNAVAILABLE, count=4)
    await eventually(
        lambda: "503 UNAVAILABLE" in (harness.service.status().get("error") or ""),
        what="the 503 reported",
    )
    assert harness.service.status()["status"] == "down"
    job = gateway.add_job(ECHO, {"a": 1})
    await gateway.wait_for_state(job, "completed")
    assert harness.service.status()["status"] == "up"


async def test_an_unreachable_api_is_reported_and_retried(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    harness = await start_engine()
    await eventually(lambda: harness.service.status()["status"] == "up", what="up")
    port = rest.port
    await rest.stop()
    await eventually(lambda: harness.service.status()["status"] == "down", what="down")
    rest.port = port
    await rest.start()
    job = gateway.add_job(ECHO, {"a": 1})
    await gateway.wait_for_state(job, "completed", timeout=10)


async def test_concurrency_limit_is_honoured(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    from tests.zeebe.connectors import GATE

    await start_engine(worker_max_running_jobs=3, worker_max_jobs_to_activate=10)
    jobs = gateway.add_jobs("test:gated:1", 8)
    await eventually(lambda: GATE.running == 3, what="three running jobs")
    assert gateway.active_count("test:gated:1") == 3
    GATE.open.set()
    for job in jobs:
        await gateway.wait_for_state(job, "completed")
    assert GATE.peak == 3


async def test_secrets_are_masked_in_fail_messages_and_history(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    harness = await start_engine(secrets={"API_KEY": "s3cr3t-value"})
    job = gateway.add_job(
        ECHO,
        {"fail_code": "401", "fail_message": "rejected key {{secrets.API_KEY}}"},
        {"retryBackoff": "PT10S"},
        retries=2,
    )
    await gateway.wait_for_state(job, "failed")
    call = await rest_call(rest, job, "/failure")
    assert "s3cr3t-value" not in json.dumps(call.body) and "***" in call.body["errorMessage"]
    [record] = [r for r in harness.history.records if r.job.key == job.key]
    assert isinstance(record.outcome, Fail) and "***" in record.outcome.message


async def test_logs_never_contain_job_variables(
    start_engine: Start, gateway: TestGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await start_engine()
    ok = gateway.add_job(ECHO, {"private": "PRIVATE-VALUE-1"})
    bad = gateway.add_job("test:needs:1", {"url": "PRIVATE-VALUE-2", "count": "x"})
    await gateway.wait_for_state(ok, "completed")
    await gateway.wait_for_state(bad, "incident")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("switchboard"))
    assert "PRIVATE-VALUE" not in logged


async def test_status_and_disabled() -> None:
    from app.engines.camunda_rest import CamundaRestService

    off = CamundaRestService(rest_settings(None), None, [])  # type: ignore[arg-type]
    assert not off.enabled
    assert off.status() == {"status": "disabled", "reason": "CAMUNDA_REST_ADDRESS is not set"}
    grpc_mode = CamundaRestService(
        rest_settings(None, job_transport="grpc", camunda_rest_address="http://127.0.0.1:1"),
        None,  # type: ignore[arg-type]
        [],
    )
    assert grpc_mode.status()["reason"] == "SWITCHBOARD_JOB_TRANSPORT is not rest"
    await off.start()  # a no-op
    assert off.workers == []


async def test_graceful_shutdown_lets_running_jobs_finish(
    start_engine: Start, gateway: TestGateway
) -> None:
    harness = await start_engine()
    job = gateway.add_job(ECHO, {"sleep_ms": 300})
    await eventually(lambda: job.state == "activated", what="activation")
    started = time.monotonic()
    await harness.service.stop()
    assert job.state == "completed" and time.monotonic() - started < 5
    assert harness.service.last_shutdown == {"finished": 1, "abandoned": 0}


async def test_oauth_token_is_sent_with_every_call(gateway: TestGateway) -> None:
    """CAMUNDA_CLIENT_ID/SECRET: the SDK's client-credentials flow against CAMUNDA_OAUTH_URL
    with CAMUNDA_TOKEN_AUDIENCE; every REST call carries the bearer token."""
    from app.engines.camunda_rest import CamundaRestService
    from app.runtime.executor import ConnectorRuntime
    from app.runtime.registry import ConnectorRegistry
    from connectors.echo import echo
    from tests.support.token_server import TokenServer

    tokens = TokenServer(token="rest-token").start()
    gateway.required_token = "rest-token"
    try:
        async with CamundaRestStandIn(gateway) as rest:
            settings = rest_settings(
                rest,
                camunda_client_id="sb-client",
                camunda_client_secret="sb-secret",
                camunda_oauth_url=tokens.url,
                camunda_token_audience="orchestration-api",
            )
            runtime = ConnectorRuntime({echo.type: echo})
            service = CamundaRestService(settings, runtime, ConnectorRegistry.of(echo))
            await service.start()
            try:
                job = gateway.add_job(ECHO, {"a": 1})
                await gateway.wait_for_state(job, "completed")
            finally:
                await service.stop()
                runtime.close()
        form = tokens.requests[0]
        assert form["grant_type"] == "client_credentials"
        assert (form["client_id"], form["audience"]) == ("sb-client", "orchestration-api")
        assert all(
            c.metadata.get("authorization") == "Bearer rest-token"
            for c in gateway.calls
            if c.method in ("ActivateJobs", "CompleteJob")
        )
    finally:
        tokens.stop()


async def test_a_wrong_token_is_refused_and_reported(gateway: TestGateway) -> None:
    from app.engines.camunda_rest import CamundaRestService
    from app.runtime.executor import ConnectorRuntime
    from app.runtime.registry import ConnectorRegistry
    from connectors.echo import echo

    gateway.required_token = "expected"
    async with CamundaRestStandIn(gateway) as rest:
        runtime = ConnectorRuntime({echo.type: echo})
        service = CamundaRestService(rest_settings(rest), runtime, ConnectorRegistry.of(echo))
        await service.start()
        try:
            await eventually(
                lambda: "401" in (service.status().get("error") or ""), what="a 401 reported"
            )
        finally:
            await service.stop()
            runtime.close()


async def test_basic_authentication_is_sent_with_every_call(
    start_engine: Start, gateway: TestGateway
) -> None:
    """CAMUNDA_BASIC_AUTH_USERNAME/PASSWORD: the SDK's BASIC strategy (Self-Managed Helm's
    default authentication, camunda-docs "Orchestration Cluster REST API authentication")."""
    await start_engine(camunda_basic_auth_username="demo", camunda_basic_auth_password="pw")
    job = gateway.add_job(ECHO, {"a": 1})
    await gateway.wait_for_state(job, "completed")
    expected = "Basic " + base64.b64encode(b"demo:pw").decode()
    sent = {c.metadata.get("authorization") for c in gateway.calls if c.method == "CompleteJob"}
    assert sent == {expected}


async def test_job_lock_from_camundas_connector_timeout_variable(
    start_engine: Start, gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    """``CONNECTOR_HTTP_REST_TIMEOUT=60000`` is the job lock on the REST transport too, as on
    gRPC (camunda/connectors ConnectorConfigurationOverrides: the job worker's timeout, in
    milliseconds, whatever the client's transport)."""
    registry = ConnectorRegistry.from_environment({"CONNECTOR_HTTP_REST_TIMEOUT": "60000"})
    http_rest = registry.get("io.camunda:http-json:1")
    assert http_rest is not None
    await start_engine(connectors=(http_rest,), worker_job_timeout_seconds=5)
    gateway.add_job("io.camunda:http-json:1", {})
    [activation, *_] = await eventually(
        lambda: [
            c.body
            for c in rest.calls_to("POST", "/jobs/activation")
            if c.body["type"] == "io.camunda:http-json:1"
        ],
        what="an activation for the REST connector",
    )
    assert activation["timeout"] == 60_000
