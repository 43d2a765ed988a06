"""Shared by the example's end-to-end tests: a local HTTP service standing in for the API
the example checks, running examples/deploy_and_start.py, and the scenario itself."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.deploy.tools import ROOT
from tests.support.gateway import COMPLETED, ERROR_THROWN, FINAL_STATES, GatewayJob, TestGateway

BPMN = ROOT / "examples" / "status-check.bpmn"
SCRIPT = ROOT / "examples" / "deploy_and_start.py"
PROCESS_ID = "switchboard-status-check"
JOB_TYPE = "io.camunda:http-json:1"
TOKEN = "example-token-5f0c2e"  # the test value of the secret DEMO_API_TOKEN


@dataclass
class StatusService:
    """Answers GET with {"status": "up"} (or "down" with ``status``) to the right bearer
    token, 401 otherwise; records every Authorization header it receives."""

    status: int = 200
    authorizations: list[str | None] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/status"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

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


async def run_example(gateway: TestGateway, status_url: str) -> str:
    """Run the script as a user would; its standard output."""
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


async def exercise_example(gateway: TestGateway, service: StatusService) -> None:
    """Deploy and start the example twice against a running worker: the service answers 200
    (the job completes with the mapped variables), then 503 (the error expression throws
    SERVICE_UNAVAILABLE, which the boundary event catches)."""
    output = await run_example(gateway, service.url)

    assert len(gateway.calls_to("DeployResource")) == 1
    [deploy] = gateway.deployments
    assert [Path(r.name).name for r in deploy.resources] == [BPMN.name]
    assert deploy.resources[0].content == BPMN.read_bytes()
    [create] = gateway.calls_to("CreateProcessInstance")
    assert create.request.bpmnProcessId == PROCESS_ID
    assert json.loads(create.request.variables) == {"statusUrl": service.url}
    assert f"deployed {PROCESS_ID} version 1" in output
    [instance] = gateway.instances.values()
    assert f"started instance {instance.key}" in output

    job = await finished_job(gateway, instance.key)
    assert job.type == JOB_TYPE
    assert job.custom_headers["elementTemplateId"] == "io.camunda.connectors.HttpJson.v2"
    assert job.state == COMPLETED, job.failures
    assert job.completed_variables == {"statusCode": 200, "serviceStatus": "up"}
    await gateway.wait_for(lambda: instance.state == "completed", timeout=5)
    assert instance.visited[-1] == "End_StatusRecorded"
    assert instance.variables["serviceStatus"] == "up"

    service.status = 503
    await run_example(gateway, service.url)
    second = next(i for i in gateway.instances.values() if i.key != instance.key)
    job = await finished_job(gateway, second.key)
    assert job.state == ERROR_THROWN, job.failures
    assert job.error_code == "SERVICE_UNAVAILABLE"
    await gateway.wait_for(lambda: second.state == "completed", timeout=5)
    assert second.visited[-1] == "End_ServiceUnavailable"

    # The secret reached the service, once per job.
    assert service.authorizations == [f"Bearer {TOKEN}"] * 2
