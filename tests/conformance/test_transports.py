"""One process, end to end, over every job transport: the commands the engine receives for
the same jobs are identical (issue 17, Done when).

Each transport deploys the same BPMN and starts an instance through its own process commands,
then runs its jobs through the one runtime: gRPC polling (``ZeebeService`` on the test
gateway), gRPC streaming (when the settings offer ``worker_stream_enabled``) and REST
(``CamundaRestService`` on the REST stand-in, which hands every command to the same gateway
model). The gateway records every command it received; those records, keyed by element and
attempt instead of by job key, must be equal across transports.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.engines.camunda_rest import CamundaRestService
from app.engines.zeebe import ZeebeService
from app.runtime.engine import Engine, InstanceToCreate, ProcessCommands, Resource
from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.registry import ConnectorRegistry
from app.runtime.secrets_hook import StaticSecretResolver
from app.settings import Settings, load_settings
from connectors.echo import echo
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway

SECRETS = {"API_KEY": "s3cr3t-api-key"}

PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:error id="err" errorCode="REJECTED" />
  <bpmn:process id="conformance" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="map" />
    <bpmn:serviceTask id="map">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="switchboard:echo:1" retries="3" />
        <zeebe:ioMapping>
          <zeebe:input source="=order.id" target="orderId" />
          <zeebe:input source="{{secrets.API_KEY}}" target="apiKey" />
        </zeebe:ioMapping>
        <zeebe:taskHeaders>
          <zeebe:header key="resultVariable" value="mapped" />
          <zeebe:header key="resultExpression" value="={id: response.orderId, n: 1}" />
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="map" targetRef="slow" />
    <bpmn:serviceTask id="slow">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="switchboard:echo:1" />
        <zeebe:ioMapping><zeebe:input source="=id" target="seen" /></zeebe:ioMapping>
        <zeebe:taskHeaders>
          <zeebe:header key="jobTimeout" value="PT5M" />
          <zeebe:header key="resultExpression" value="={slowSeen: seen}" />
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="slow" targetRef="reject" />
    <bpmn:serviceTask id="reject">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="switchboard:echo:1" />
        <zeebe:ioMapping>
          <zeebe:input source="403" target="fail_code" />
          <zeebe:input source="denied for {{secrets.API_KEY}}" target="fail_message" />
        </zeebe:ioMapping>
        <zeebe:taskHeaders>
          <zeebe:header key="errorExpression"
            value="=if error.code = &quot;403&quot;
              then bpmnError(&quot;REJECTED&quot;, error.message, {why: error.code})
              else null" />
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="caught" attachedToRef="reject">
      <bpmn:errorEventDefinition errorRef="err" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="caught" targetRef="flaky" />
    <bpmn:serviceTask id="flaky">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="switchboard:echo:1" retries="2" />
        <zeebe:ioMapping><zeebe:input source="503" target="fail_code" /></zeebe:ioMapping>
        <zeebe:taskHeaders><zeebe:header key="retryBackoff" value="PT0S" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>
"""

WORKER = {
    "worker_name": "conformance",
    "worker_request_timeout_seconds": 1.0,
    "worker_poll_interval_seconds": 0.0,
    "worker_reconnect_max_backoff_seconds": 0.3,
    "worker_health_interval_seconds": 0.2,
    "shutdown_grace_seconds": 5.0,
}
STREAMING = "worker_stream_enabled" in Settings.model_fields
TRANSPORTS = ["grpc-polling", *(["grpc-streaming"] if STREAMING else []), "rest"]


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


async def run_process(transport: str, gateway: TestGateway) -> dict[str, Any]:
    """Deploy, start one instance and run it to its end over ``transport``; returns what the
    gateway received, keyed by element and attempt."""
    runtime = ConnectorRuntime(
        {echo.type: echo}, secrets=StaticSecretResolver(SECRETS), history=MemoryHistorySink()
    )
    registry = ConnectorRegistry.of(echo)
    async with CamundaRestStandIn(gateway) as rest:
        engine: Engine
        if transport == "rest":
            settings = load_settings(
                _env_file=None, job_transport="rest", camunda_rest_address=rest.address, **WORKER
            )
            engine = CamundaRestService(settings, runtime, registry)
        else:
            stream = {"worker_stream_enabled": transport == "grpc-streaming"} if STREAMING else {}
            settings = load_settings(
                _env_file=None, zeebe_address=gateway.address, **WORKER, **stream
            )
            engine = ZeebeService(settings, runtime, registry)
        await engine.start()
        try:
            assert isinstance(engine, ProcessCommands)
            deployment = await engine.deploy_resources([Resource("conformance.bpmn", PROCESS)])
            [process] = deployment.processes
            created = await engine.create_process_instance(
                InstanceToCreate(
                    bpmn_process_id=process.bpmn_process_id,
                    version=process.version,
                    variables={"order": {"id": "o-7"}},
                )
            )
            instance = gateway.instances[created.process_instance_key]
            await gateway.wait_for(
                lambda: instance.state != "active", timeout=10, what="the instance to end"
            )
        finally:
            await engine.stop()
            runtime.close()
    return {
        "commands": commands_by_element(gateway),
        "state": instance.state,
        "visited": instance.visited,
        "variables": instance.variables,
    }


def commands_by_element(gateway: TestGateway) -> list[tuple[str, int, str, dict[str, Any]]]:
    """Every job command the gateway accepted or refused: (element, attempt, method, fields)."""
    attempts: dict[tuple[str, str], int] = {}
    out = []
    for call in gateway.calls:
        if call.method not in ("CompleteJob", "FailJob", "ThrowError", "UpdateJobTimeout"):
            continue
        job = gateway.jobs[call.request.jobKey]
        counter = (job.element_id, call.method)
        attempts[counter] = attempts.get(counter, 0) + 1
        fields = {
            name: value
            for name, value in (
                (f.name, getattr(call.request, f.name)) for f in call.request.DESCRIPTOR.fields
            )
            if name != "jobKey"
        }
        if fields.get("variables"):
            fields["variables"] = json.loads(fields["variables"])
        out.append((job.element_id, attempts[counter], call.method, fields))
    return out


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_process_runs_to_its_end(transport: str, gateway: TestGateway) -> None:
    result = await run_process(transport, gateway)
    assert result["visited"] == ["start", "map", "slow", "reject", "flaky"]
    assert result["state"] == "incident"  # flaky fails until its retries are used up
    variables = result["variables"]
    assert (variables["id"], variables["n"], variables["slowSeen"]) == ("o-7", 1, "o-7")
    assert variables["mapped"]["apiKey"] == "s3cr3t-api-key"  # resolved for the connector
    assert variables["why"] == "403"  # the BPMN error's variables
    commands = {(e, n, m): f for e, n, m, f in result["commands"]}
    assert list(commands) == [
        ("map", 1, "CompleteJob"),
        ("slow", 1, "UpdateJobTimeout"),
        ("slow", 1, "CompleteJob"),
        ("reject", 1, "ThrowError"),
        ("flaky", 1, "FailJob"),
        ("flaky", 2, "FailJob"),
    ]
    assert commands[("slow", 1, "UpdateJobTimeout")]["timeout"] == 300_000
    thrown = commands[("reject", 1, "ThrowError")]
    assert (thrown["errorCode"], thrown["errorMessage"]) == ("REJECTED", "denied for ***")
    first, second = commands[("flaky", 1, "FailJob")], commands[("flaky", 2, "FailJob")]
    assert (first["retries"], second["retries"]) == (1, 0)
    assert first["retryBackOff"] == 0 and first["variables"]["error"]["code"] == "503"


async def test_every_transport_sends_identical_commands() -> None:
    results = {}
    for transport in TRANSPORTS:
        async with TestGateway() as gw:
            results[transport] = await run_process(transport, gw)
    reference = results["grpc-polling"]
    for transport, result in results.items():
        assert result["commands"] == reference["commands"], transport
        assert (result["state"], result["visited"], result["variables"]) == (
            reference["state"],
            reference["visited"],
            reference["variables"],
        ), transport
