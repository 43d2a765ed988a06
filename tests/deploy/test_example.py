"""The example as the compose stack runs it, against the test gateway: vault-init writes the
sample secret to a real OpenBao, examples/deploy_and_start.py deploys
examples/status-check.bpmn and starts instances, and Switchboard's worker (the real runtime,
REST connector and Vault provider) works the REST job against a local HTTP service."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.secrets.service import SecretsService
from app.settings import Settings, load_settings
from app.zeebe import ZeebeService
from connectors.http_json import http_json
from tests.deploy.test_vault_init import run_init
from tests.deploy.tools import ROOT
from tests.support.gateway import COMPLETED, ERROR_THROWN, FINAL_STATES, GatewayJob, TestGateway
from tests.support.openbao import OpenBao

BPMN = ROOT / "examples" / "status-check.bpmn"
SCRIPT = ROOT / "examples" / "deploy_and_start.py"
JOB_TYPE = "io.camunda:http-json:1"
TOKEN = "example-token-5f0c2e"  # a test value given to SECRET_DEMO_API_TOKEN
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
}


# ------------------------------------------------------------------ the BPMN, statically


def test_the_example_uses_the_official_rest_template_and_bindings() -> None:
    root = ET.parse(BPMN).getroot()
    [process] = root.findall("bpmn:process", NS)
    assert process.get("id") == "switchboard-status-check"
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
class StatusService:
    """A local HTTP service standing in for the API the example checks."""

    status: int = 200
    authorizations: list[str | None] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/status"


def _handler(service: StatusService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            service.authorizations.append(self.headers.get("Authorization"))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                code, body = 401, {"status": "unauthorized"}
            else:
                code = service.status
                body = {"status": "up" if code == 200 else "down"}
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def status_service() -> Iterator[StatusService]:
    service = StatusService()
    service.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


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


async def run_example(gateway: TestGateway, status_url: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--status-url",
        status_url,
        env={"ZEEBE_ADDRESS": gateway.address, "PATH": str(Path(sys.executable).parent)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def finished_job(gateway: TestGateway, instance_key: int) -> GatewayJob:
    def done() -> GatewayJob | None:
        for job in gateway.jobs.values():
            if job.process_instance_key == instance_key and job.state in FINAL_STATES:
                return job
        return None

    return await gateway.wait_for(done, timeout=30, what=f"the job of instance {instance_key}")


async def test_example_deploys_starts_and_the_worker_completes_the_rest_job(
    gateway: TestGateway, worker: Worker, status_service: StatusService
) -> None:
    output = await run_example(gateway, status_service.url)

    assert len(gateway.calls_to("DeployResource")) == 1
    [deploy] = gateway.deployments
    assert [Path(r.name).name for r in deploy.resources] == [BPMN.name]
    assert deploy.resources[0].content == BPMN.read_bytes()
    [create] = gateway.calls_to("CreateProcessInstance")
    assert create.request.bpmnProcessId == "switchboard-status-check"
    assert json.loads(create.request.variables) == {"statusUrl": status_service.url}
    assert "deployed switchboard-status-check version 1" in output
    [instance] = gateway.instances.values()
    assert f"started instance {instance.key}" in output

    job = await finished_job(gateway, instance.key)
    assert job.type == JOB_TYPE
    assert job.custom_headers["elementTemplateId"] == "io.camunda.connectors.HttpJson.v2"
    assert job.state == COMPLETED, job.failures
    assert job.completed_variables == {"statusCode": 200, "serviceStatus": "up"}
    assert status_service.authorizations == [f"Bearer {TOKEN}"]
    await gateway.wait_for(lambda: instance.state == "completed", timeout=5)
    assert instance.visited[-1] == "End_StatusRecorded"
    assert instance.variables["serviceStatus"] == "up"

    # 503: the error expression throws SERVICE_UNAVAILABLE, caught by the boundary event.
    status_service.status = 503
    await run_example(gateway, status_service.url)
    second = next(i for i in gateway.instances.values() if i.key != instance.key)
    job = await finished_job(gateway, second.key)
    assert job.state == ERROR_THROWN, job.failures
    assert job.error_code == "SERVICE_UNAVAILABLE"
    await gateway.wait_for(lambda: second.state == "completed", timeout=5)
    assert second.visited[-1] == "End_ServiceUnavailable"

    # The secret reached the service, and nothing the worker recorded.
    assert status_service.authorizations == [f"Bearer {TOKEN}"] * 2
    assert worker.history.records
    assert all(TOKEN not in repr(record) for record in worker.history.records)
