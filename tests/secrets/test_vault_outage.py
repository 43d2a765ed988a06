"""A Vault outage costs retries, never an incident, and the runtime recovers by itself.

Regression (issue 15: 1,913 of 1,988 jobs became incidents): the failure during the outage
left ``error.type = "app.secrets.errors.SecretProviderError"`` in the job's variables; once
Vault was back, the retry scanned every fetched variable, the bare ``secrets.NAME`` pattern
matched inside that class name, the secret ``errors.SecretProviderError`` was not found,
and the job failed with retries 0. Now placeholders are looked for only in the connector's
bound inputs (never in the runtime's own ``error`` variable), error types are stable names,
and a provider that is down is an ordinary failure: retries - 1, with the header's backoff.
A real OpenBao dev server is stopped and started again (same port) around the jobs.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, Job
from app.secrets import SecretsService
from app.settings import load_settings
from connectors.echo import echo
from tests.secrets.conftest import put
from tests.support.openbao import OpenBao

TOKEN = f"tok-{uuid.uuid4().hex}"
# what an older release wrote into the process after such a failure
LEGACY_ERROR = {
    "type": "app.secrets.errors.SecretProviderError",
    "message": "Secret provider 'vault' failed: cannot connect to http://127.0.0.1:8200",
}


@pytest.fixture
def bao() -> Iterator[OpenBao]:
    server = OpenBao()  # its own server: this test stops it
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server._log_dir, ignore_errors=True)


@pytest.fixture
async def runtime(bao: OpenBao) -> AsyncIterator[ConnectorRuntime]:
    settings = load_settings(
        _env_file=None,
        VAULT_ADDR=bao.address,
        VAULT_TOKEN=bao.root_token,
        SWITCHBOARD_VAULT_PATH_PREFIX="outage",
        SWITCHBOARD_VAULT_TIMEOUT_SECONDS=1,
    )
    service = SecretsService.from_settings(settings, environ={})
    await service.start()
    rt = ConnectorRuntime({echo.type: echo}, secrets=service.resolver)
    yield rt
    rt.close()
    await service.close()


async def _execute(rt: ConnectorRuntime, variables: dict[str, Any], retries: int) -> Any:
    job = Job.create(
        echo.type,
        variables,
        custom_headers={"resultVariable": "r", "retryBackoff": "PT5S"},
        retries=retries,
    )
    return (await rt.execute(job)).outcome


async def test_vault_outage_is_transient_and_recovers(
    bao: OpenBao, runtime: ConnectorRuntime
) -> None:
    put(bao.client(), "outage/API_TOKEN", value=TOKEN)
    variables: dict[str, Any] = {"auth": "Bearer {{secrets.API_TOKEN}}"}

    bao.stop()
    retries = 3
    for _ in range(2):  # each retry carries the previous failure's error variable
        outcome = await _execute(runtime, variables, retries)
        assert isinstance(outcome, Fail), outcome
        assert (outcome.retries, outcome.backoff_ms) == (retries - 1, 5000)
        assert outcome.variables["error"]["type"] == "switchboard.SecretProviderError"
        assert "secrets." not in outcome.variables["error"]["type"]
        variables = {**variables, **outcome.variables}  # Zeebe keeps them in the process
        retries = outcome.retries

    bao.start()  # same port; a dev server starts empty
    put(bao.client(), "outage/API_TOKEN", value=TOKEN)
    for error in (variables["error"], LEGACY_ERROR):
        outcome = await _execute(runtime, {**variables, "error": error}, retries)
        assert isinstance(outcome, Complete), outcome
        assert outcome.variables["r"]["auth"] == f"Bearer {TOKEN}"
        assert outcome.variables["r"]["error"] == error  # fetched, never scanned
