"""Done-when check: a job's "Bearer {{secrets.API_TOKEN}}" gets the real token from OpenBao,
and the token appears nowhere in logs, history or API output."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import hvac
import pytest
from fastapi import FastAPI

from app.api.secrets import router, secrets_service
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.model import Complete, Fail, Job
from app.runtime.outcome_json import outcome_to_json
from app.runtime.payload import dumps
from app.secrets import SecretsService, install_log_masking, remove_log_masking
from app.settings import load_settings
from connectors.echo import echo
from tests.secrets.conftest import put
from tests.support.openbao import OpenBao, free_port_pair


@pytest.fixture
def token() -> str:
    return f"tok-{uuid.uuid4().hex}"


@pytest.fixture
async def service(openbao: OpenBao, prefix: str) -> AsyncIterator[SecretsService]:
    settings = load_settings(
        VAULT_ADDR=openbao.address,
        VAULT_TOKEN=openbao.root_token,
        SWITCHBOARD_VAULT_PATH_PREFIX=prefix,
    )
    svc = SecretsService.from_settings(settings, environ={})
    await svc.start()
    yield svc
    await svc.close()


@pytest.fixture
def all_logs(service: SecretsService) -> Iterator[io.StringIO]:
    """Everything logged by any logger at DEBUG, through the masking filter, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    masking = install_log_masking(service.masker)
    try:
        yield stream
    finally:
        remove_log_masking(masking)
        root.setLevel(level)
        root.removeHandler(handler)


def record_text(history: MemoryHistorySink) -> str:
    return "\n".join(dumps(dataclasses.asdict(r)) for r in history.records)


async def test_bearer_token_from_openbao_is_used_and_never_shown(
    service: SecretsService,
    all_logs: io.StringIO,
    root: hvac.Client,
    prefix: str,
    token: str,
) -> None:
    put(root, f"{prefix}/API_TOKEN", value=token)
    history = MemoryHistorySink()
    runtime = ConnectorRuntime({echo.type: echo}, secrets=service.resolver, history=history)
    job = Job.create(
        type=echo.type,
        variables={
            "authorization": "Bearer {{secrets.API_TOKEN}}",
            "legacy": "secrets.API_TOKEN",
        },
        custom_headers={"resultVariable": "response"},
        key=1,
    )
    try:
        result = await runtime.execute(job, source="rest")
        # a connector that logs its input by mistake
        logging.getLogger("connectors.careless").info("input was %s", result.outcome)
        failing = await runtime.execute(
            Job.create(
                type=echo.type,
                variables={
                    "fail_code": "401",
                    "fail_message": "rejected Bearer {{secrets.API_TOKEN}}",
                },
                key=2,
            ),
            source="rest",
        )
    finally:
        runtime.close()

    # the connector got the real token: the engine's command carries what it returned
    assert isinstance(result.outcome, Complete)
    assert result.outcome.variables["response"]["authorization"] == f"Bearer {token}"
    assert result.outcome.variables["response"]["legacy"] == token

    # ... and nothing people can read shows it
    assert isinstance(failing.outcome, Fail)
    assert failing.outcome.message == "rejected Bearer ***"
    assert failing.outcome.retries == 2
    assert result.masked_outcome.variables["response"]["authorization"] == "Bearer ***"
    api_output = json.dumps([outcome_to_json(r.masked_outcome) for r in (result, failing)])
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[secrets_service] = lambda: service
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost"
    ) as client:
        listed = await client.get("/api/v1/secrets")
    assert listed.status_code == 200
    assert [i["name"] for i in listed.json()["items"]] == ["API_TOKEN"]

    history_text = record_text(history)
    logs = all_logs.getvalue()
    assert len(history.records) == 2
    assert "Bearer ***" in history_text
    assert "input was" in logs and "Bearer ***" in logs
    for sink in (logs, history_text, api_output, listed.text):
        assert token not in sink


async def test_missing_secret_fails_without_retries(
    service: SecretsService, all_logs: io.StringIO
) -> None:
    runtime = ConnectorRuntime({echo.type: echo}, secrets=service.resolver)
    try:
        result = await runtime.execute(
            Job.create(type=echo.type, variables={"a": "{{secrets.NOT_THERE}}"}, retries=3)
        )
    finally:
        runtime.close()
    assert isinstance(result.outcome, Fail)
    assert result.outcome.retries == 0
    assert result.outcome.message == "Secret with name 'NOT_THERE' is not available"


async def test_vault_down_is_a_transient_failure(all_logs: io.StringIO) -> None:
    port = free_port_pair()
    settings = load_settings(
        VAULT_ADDR=f"http://127.0.0.1:{port}",
        VAULT_TOKEN="whatever",
        SWITCHBOARD_VAULT_TIMEOUT_SECONDS=1,
    )
    svc = SecretsService.from_settings(settings, environ={})
    runtime = ConnectorRuntime({echo.type: echo}, secrets=svc.resolver)
    try:
        result = await runtime.execute(
            Job.create(
                type=echo.type,
                variables={"a": "{{secrets.API_TOKEN}}"},
                custom_headers={"retryBackoff": "PT5S"},
                retries=3,
            )
        )
    finally:
        runtime.close()
        await svc.close()
    assert isinstance(result.outcome, Fail)
    assert result.outcome.retries == 2
    assert result.outcome.backoff_ms == 5000
    assert "Secret provider 'vault' failed" in result.outcome.message
    assert f"cannot connect to http://127.0.0.1:{port}" in result.outcome.message
