"""Connection modes: plaintext, TLS with a CA file, OAuth client credentials, Camunda SaaS."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme

from app.engines.zeebe import ZeebeService
from app.engines.zeebe.channel import connection_plan, token_source
from app.runtime.executor import ConnectorRuntime
from app.runtime.registry import ConnectorRegistry
from app.settings import SettingsError, load_settings
from connectors.echo import echo
from tests.support.gateway import TestGateway
from tests.support.token_server import TokenServer
from tests.support.waiting import eventually
from tests.zeebe.conftest import worker_settings

pytestmark = pytest.mark.timeout(30)

ECHO = echo.type
CLIENT_SECRET = "client-s3cret-value"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
async def tls_gateway(ca: trustme.CA) -> AsyncIterator[TestGateway]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    key = cert.private_key_pem.bytes()
    chain = b"".join(blob.bytes() for blob in cert.cert_chain_pems)
    async with TestGateway(tls=(key, chain)) as gw:
        yield gw


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    server = TokenServer(token="tok-abc").start()
    yield server
    server.stop()


async def run_one_job(gateway: TestGateway, min_calls: int = 0, **settings: object) -> ZeebeService:
    service = ZeebeService(
        worker_settings(gateway, **settings), ConnectorRuntime({ECHO: echo}), [echo]
    )
    await service.start()
    try:
        job = gateway.add_job(ECHO, {"a": 1}, {"resultVariable": "r"})
        await gateway.wait_for_state(job, "completed", timeout=10)
        assert job.completed_variables == {"r": {"a": 1}}
        await eventually(lambda: service.status()["status"] == "up", what="status up")
        # Polling goes on after the job: wait for the calls the caller wants to inspect.
        await gateway.wait_for(lambda: len(gateway.calls) > min_calls, timeout=15)
    finally:
        await service.stop()
    return service


async def test_tls_with_a_ca_file(tls_gateway: TestGateway, ca_file: Path) -> None:
    service = await run_one_job(tls_gateway, zeebe_ca_certificate_path=str(ca_file))
    assert "TLS" in (service.status()["connection"] or "")


async def test_tls_with_an_untrusted_certificate_stays_down(tls_gateway: TestGateway) -> None:
    service = ZeebeService(
        worker_settings(tls_gateway, zeebe_insecure_connection=False),
        ConnectorRuntime({ECHO: echo}),
        [echo],
    )
    await service.start()
    try:
        job = tls_gateway.add_job(ECHO, {})
        status = await eventually(
            lambda: (s := service.status())["error"] != "not connected yet" and s,
            what="a connection verdict",
        )
        assert status["status"] == "down" and "UNAVAILABLE" in status["error"]
        assert job.state == "activatable"
    finally:
        await service.stop()


async def test_plaintext_client_against_tls_gateway_fails(
    tls_gateway: TestGateway, ca_file: Path
) -> None:
    service = ZeebeService(
        worker_settings(tls_gateway, zeebe_insecure_connection=True),
        ConnectorRuntime({ECHO: echo}),
        [echo],
    )
    await service.start()
    try:
        status = await eventually(
            lambda: (s := service.status())["error"] != "not connected yet" and s,
            what="a connection verdict",
        )
        assert status["status"] == "down"
    finally:
        await service.stop()


async def test_oauth_over_plaintext(gateway: TestGateway, token_server: TokenServer) -> None:
    gateway.required_token = "tok-abc"
    await run_one_job(
        gateway,
        min_calls=3,
        zeebe_insecure_connection=True,
        zeebe_client_id="switchboard",
        zeebe_client_secret=CLIENT_SECRET,
        zeebe_authorization_server_url=token_server.url,
        zeebe_token_audience="zeebe-api",
        zeebe_token_scope="jobs",
    )
    assert token_server.requests[0] == {
        "grant_type": "client_credentials",
        "client_id": "switchboard",
        "client_secret": CLIENT_SECRET,
        "audience": "zeebe-api",
        "scope": "jobs",
    }
    assert len(token_server.requests) == 1  # cached across calls
    assert len(gateway.calls) > 3
    assert all(c.metadata.get("authorization") == "Bearer tok-abc" for c in gateway.calls)


async def test_oauth_over_tls(
    tls_gateway: TestGateway, ca_file: Path, token_server: TokenServer
) -> None:
    tls_gateway.required_token = "tok-abc"
    service = await run_one_job(
        tls_gateway,
        zeebe_ca_certificate_path=str(ca_file),
        zeebe_client_id="switchboard",
        zeebe_client_secret=CLIENT_SECRET,
        zeebe_authorization_server_url=token_server.url,
    )
    assert service.status()["connection"].endswith("(TLS, OAuth)")
    assert token_server.requests


async def test_oauth_refusal_is_down_then_recovers(
    gateway: TestGateway, token_server: TokenServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway.required_token = "tok-abc"
    token_server.status = 401
    service = ZeebeService(
        worker_settings(
            gateway,
            zeebe_insecure_connection=True,
            zeebe_client_id="switchboard",
            zeebe_client_secret=CLIENT_SECRET,
            zeebe_authorization_server_url=token_server.url,
        ),
        ConnectorRuntime({ECHO: echo}),
        [echo],
    )
    await service.start()
    try:
        status = await eventually(
            lambda: (s := service.status()).get("error", "").endswith("HTTP 401") and s,
            what="the OAuth refusal in the status",
        )
        assert status["status"] == "down"
        assert not gateway.calls  # nothing reached the gateway without a token
        token_server.status = 200
        job = gateway.add_job(ECHO, {})
        await gateway.wait_for_state(job, "completed", timeout=10)
    finally:
        await service.stop()
    assert CLIENT_SECRET not in caplog.text and CLIENT_SECRET not in str(service.status())


def test_saas_plan_and_defaults() -> None:
    settings = load_settings(
        _env_file=None,
        camunda_cluster_id="abc-123",
        camunda_cluster_region="dsm-1",
        zeebe_client_id="id",
        zeebe_client_secret=CLIENT_SECRET,
        zeebe_address="ignored:26500",
    )
    plan = connection_plan(settings)
    assert (plan.address, plan.tls, plan.oauth, plan.saas) == (
        "abc-123.dsm-1.zeebe.camunda.io:443",
        True,
        True,
        True,
    )
    source = token_source(settings)
    assert source is not None
    assert source._token_url == "https://login.cloud.camunda.io/oauth/token"
    assert source._audience == "zeebe.camunda.io"
    assert CLIENT_SECRET not in repr(source) and CLIENT_SECRET not in repr(settings)


def test_plaintext_is_the_default_without_tls_settings() -> None:
    plan = connection_plan(load_settings(_env_file=None, zeebe_address="zeebe:26500"))
    assert (plan.tls, plan.oauth) == (False, False)
    assert connection_plan(
        load_settings(_env_file=None, zeebe_address="zeebe:26500", zeebe_ca_certificate_path="/x")
    ).tls


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"zeebe_address": "no-port"}, "ZEEBE_ADDRESS: Value error, expected host:port"),
        ({"zeebe_address": "h:99999"}, "ZEEBE_ADDRESS"),
        (
            {"zeebe_client_id": "x"},
            "ZEEBE_CLIENT_SECRET: Value error, required when ZEEBE_CLIENT_ID is set",
        ),
        (
            {"zeebe_client_id": "x", "zeebe_client_secret": "y"},
            "ZEEBE_AUTHORIZATION_SERVER_URL: Value error, required when ZEEBE_CLIENT_ID",
        ),
        (
            {"camunda_cluster_id": "c"},
            "ZEEBE_CLIENT_ID: Value error, required when CAMUNDA_CLUSTER_ID is set",
        ),
        ({"worker_max_running_jobs": 0}, "SWITCHBOARD_WORKER_MAX_RUNNING_JOBS"),
        ({"worker_job_timeout_seconds": -1}, "SWITCHBOARD_WORKER_JOB_TIMEOUT_SECONDS"),
    ],
)
def test_bad_settings_name_the_variable(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None, **values)
    assert message in str(info.value)


async def test_missing_ca_file_is_a_clear_error(gateway: TestGateway, tmp_path: Path) -> None:
    service = ZeebeService(
        worker_settings(gateway, zeebe_ca_certificate_path=str(tmp_path / "nope.pem")),
        ConnectorRuntime({}),
        ConnectorRegistry.of(echo),
    )
    with pytest.raises(ValueError, match="ZEEBE_CA_CERTIFICATE_PATH: cannot read"):
        await service.start()
