"""The example as the compose stack runs it, against the test gateway: vault-init writes the
sample secret to a real OpenBao, examples/deploy_and_start.py deploys
examples/status-check.bpmn and starts instances, and Switchboard's worker (the real runtime,
REST connector and Vault provider) works the REST job against a local HTTP service."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.secrets.service import SecretsService
from app.settings import Settings, load_settings
from app.zeebe import ZeebeService
from connectors.http_json import http_json
from tests.deploy.example_support import (
    BPMN,
    JOB_TYPE,
    PROCESS_ID,
    TOKEN,
    StatusService,
    exercise_example,
)
from tests.deploy.test_vault_init import run_init
from tests.support.gateway import TestGateway
from tests.support.openbao import OpenBao

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
}


# ------------------------------------------------------------------ the BPMN, statically


def test_the_example_uses_the_official_rest_template_and_bindings() -> None:
    root = ET.parse(BPMN).getroot()
    [process] = root.findall("bpmn:process", NS)
    assert process.get("id") == PROCESS_ID
    assert process.get("isExecutable") == "true"
    [task] = process.findall("bpmn:serviceTask", NS)
    zeebe = "{http://camunda.org/schema/zeebe/1.0}"
    assert task.get(f"{zeebe}modelerTemplate") == "io.camunda.connectors.HttpJson.v2"
    assert task.get(f"{zeebe}modelerTemplateVersion", "").isdigit()
    definition = task.find(".//zeebe:taskDefinition", NS)
    assert definition is not None and definition.get("type") == JOB_TYPE
    inputs = {i.get("target"): i.get("source") for i in task.iterfind(".//zeebe:input", NS)}
    assert inputs["authentication.type"] == "bearer"
    assert inputs["authentication.token"] == "{{secrets.DEMO_API_TOKEN}}"
    assert inputs["method"] == "GET"
    assert inputs["url"] == "=statusUrl"
    headers = {h.get("key"): h.get("value") for h in task.iterfind(".//zeebe:header", NS)}
    assert headers["elementTemplateId"] == "io.camunda.connectors.HttpJson.v2"
    assert headers["resultExpression"].startswith("={")
    assert "bpmnError(" in headers["errorExpression"]
    # The BPMN error the expression throws is the one the boundary event catches.
    [error] = root.findall("bpmn:error", NS)
    assert f'bpmnError("{error.get("errorCode")}"' in headers["errorExpression"]
    [boundary] = process.findall("bpmn:boundaryEvent", NS)
    assert boundary.get("attachedToRef") == task.get("id")
    ref = boundary.find("bpmn:errorEventDefinition", NS)
    assert ref is not None and ref.get("errorRef") == error.get("id")


# ------------------------------------------------------------------ end to end


@dataclass
class Worker:
    """Switchboard's worker as the application wires it, pointed at the test gateway."""

    service: ZeebeService
    history: MemoryHistorySink
    secrets: SecretsService


@pytest.fixture
async def worker(gateway: TestGateway, openbao: OpenBao) -> AsyncIterator[Worker]:
    prefix = f"example-{uuid.uuid4().hex[:8]}"
    written = run_init(openbao, {"DEMO_API_TOKEN": TOKEN}, VAULT_INIT_PATH_PREFIX=prefix)
    assert written.returncode == 0, written.stderr
    settings: Settings = load_settings(
        _env_file=None,
        zeebe_address=gateway.address,
        worker_request_timeout_seconds=1.0,
        worker_reconnect_max_backoff_seconds=0.3,
        shutdown_grace_seconds=5.0,
        secret_env_enabled=False,
        vault_addr=openbao.address,
        vault_token=openbao.root_token,
        vault_path_prefix=prefix,
    )
    secrets = SecretsService.from_settings(settings)
    await secrets.start()
    history = MemoryHistorySink()
    runtime = ConnectorRuntime({http_json.type: http_json}, secrets=secrets, history=history)
    service = ZeebeService(settings, runtime, ConnectorRegistry.of(http_json))
    await service.start()
    try:
        yield Worker(service, history, secrets)
    finally:
        await service.stop()
        runtime.close()
        await secrets.close()


async def test_example_deploys_starts_and_the_worker_completes_the_rest_job(
    gateway: TestGateway, worker: Worker, status_service: StatusService
) -> None:
    await exercise_example(gateway, status_service)
    # Two executions recorded, the secret masked out of them.
    assert len(worker.history.records) == 2
    assert all(TOKEN not in repr(record) for record in worker.history.records)
