"""The example as the compose stack runs it, against the test gateway: vault-init writes the
sample secret to a real OpenBao, examples/deploy_and_start.py deploys
examples/status-check.bpmn and starts instances, and Switchboard's worker (the real runtime,
REST connector and Vault provider) works the REST job against a local HTTP service."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.engines.zeebe import ZeebeService
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.secrets.service import SecretsService
from app.settings import Settings, load_settings
from connectors.http_json import http_json
from tests.deploy.example_support import (
    BPMN,
    JOB_TYPE,
    PROCESS_ID,
    SCRIPT,
    TOKEN,
    StatusService,
    exercise_example,
)
from tests.deploy.test_vault_init import run_init
from tests.deploy.tools import free_port
from tests.support.gateway import TestGateway
from tests.support.openbao import OpenBao
from tests.templates.schema import OFFICIAL_PACKAGE, require_node_package

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


def _official_template(template_id: str, version: int) -> dict[str, Any]:
    folder = require_node_package(OFFICIAL_PACKAGE) / "src" / "element-templates"
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for template in data if isinstance(data, list) else [data]:
            if template.get("id") == template_id and template.get("version") == version:
                return template
    raise AssertionError(f"Camunda publishes no template {template_id} version {version}")


def test_the_example_is_what_modeler_writes_with_that_official_template_version() -> None:
    """Every binding of the task exists in the official template version it names, with a
    value that template allows, persisted the way Modeler persists it."""
    root = ET.parse(BPMN).getroot()
    task = root.find(".//bpmn:serviceTask", NS)
    assert task is not None
    zeebe = "{http://camunda.org/schema/zeebe/1.0}"
    template = _official_template(
        task.get(f"{zeebe}modelerTemplate", ""), int(task.get(f"{zeebe}modelerTemplateVersion", 0))
    )
    # The stack runs Camunda 8.8: the template must not need a newer engine.
    engines = template.get("engines", {}).get("camunda", "^8.0")
    assert tuple(map(int, engines.lstrip("^").split(".")[:2])) <= (8, 8), engines

    by_input: dict[str, list[dict[str, Any]]] = {}
    by_header: dict[str, dict[str, Any]] = {}
    for prop in template["properties"]:
        binding = prop["binding"]
        if binding["type"] == "zeebe:input":
            by_input.setdefault(binding["name"], []).append(prop)
        elif binding["type"] == "zeebe:taskHeader":
            by_header[binding["key"]] = prop
        elif binding["type"] == "zeebe:taskDefinition" and binding["property"] == "type":
            definition = task.find(".//zeebe:taskDefinition", NS)
            assert definition is not None and definition.get("type") == prop["value"]

    for mapping in task.iterfind(".//zeebe:input", NS):
        target, source = mapping.get("target", ""), mapping.get("source", "")
        assert target in by_input, f"input {target} is not a binding of the template"
        props = by_input[target]
        kinds = {p.get("type") for p in props}
        if "Dropdown" in kinds:
            allowed = {c["value"] for p in props for c in p.get("choices", [])}
            assert source in allowed, f"{target}={source!r} is not one of {sorted(allowed)}"
        if "Number" in kinds:  # Modeler persists numbers as FEEL: =20
            assert source.startswith("=") and source[1:].isdigit(), (target, source)
    for header in task.iterfind(".//zeebe:header", NS):
        key, value = header.get("key", ""), header.get("value", "")
        assert key in by_header, f"header {key} is not a binding of the template"
        if by_header[key].get("type") == "Hidden":
            assert value == str(by_header[key]["value"]), key


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


# ------------------------------------------------------------------ the script's errors


def _script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {}, "ZEEBE_ADDRESS (or --address) is required"),
        ((), {"ZEEBE_ADDRESS": "127.0.0.1:1", "ZEEBE_CLIENT_ID": "x"}, "set together"),
        (("--bpmn", "/nonexistent.bpmn"), {"ZEEBE_ADDRESS": "127.0.0.1:1"}, "no such file"),
    ],
)
def test_script_refuses_bad_usage_naming_the_problem(
    args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    result = _script(*args, **env)
    assert result.returncode == 2
    assert message in result.stderr


def test_script_reports_an_unreachable_gateway() -> None:
    address = f"127.0.0.1:{free_port()}"
    result = _script(ZEEBE_ADDRESS=address)
    assert result.returncode == 1
    assert result.stderr.strip() == f"deploy_and_start: cannot reach the Zeebe gateway at {address}"


async def test_script_reports_a_rejected_deployment(gateway: TestGateway, tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions>not a process")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--bpmn",
        str(broken),
        env={"ZEEBE_ADDRESS": gateway.address},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        _, err = await process.communicate()
    assert process.returncode == 1
    assert f"Zeebe rejected {broken}" in err.decode()
    assert gateway.calls_to("CreateProcessInstance") == []
