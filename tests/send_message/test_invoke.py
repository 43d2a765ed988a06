"""Test invocations of the Send Message connector use the configured engine, as a worker job
would: ``POST /api/v1/connectors/{type}/invoke`` on the running application and
``switchboard invoke`` (the real console script), against the test gateway over real gRPC and
the REST stand-in over real HTTP; with no engine configured they fail with a clear input
error (retries 0)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter

from connectors.send_message import TYPE
from tests.api.conftest import migrated as migrated
from tests.api.harness import client, make_key, running_app
from tests.send_message.conftest import waiting_receiver
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway

PUBLISH = {"messageName": "paid", "correlationKey": "o-1", "correlationType": {"type": "publish"}}
CORRELATE = {**PUBLISH, "correlationType": {"type": "correlate"}}


async def invoke(app: Any, variables: dict[str, Any]) -> dict[str, Any]:
    key = await make_key(app, "operator")
    async with client(app, key) as c:
        answer = await c.post(
            f"/api/v1/connectors/{TYPE}/invoke",
            json={"variables": variables, "headers": {"resultVariable": "r"}},
        )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_with_no_engine_the_invocation_is_an_input_error(migrated: str) -> None:
    async with running_app(migrated) as app:
        outcome = await invoke(app, PUBLISH)
    assert outcome["command"] == "fail"
    assert outcome["retries"] == 0
    assert "ZEEBE_ADDRESS" in outcome["errorMessage"]


async def test_the_api_publishes_through_the_configured_zeebe(
    migrated: str, gateway: TestGateway
) -> None:
    async with running_app(migrated, zeebe_address=gateway.address) as app:
        outcome = await invoke(app, {**PUBLISH, "variables": {"amount": 3}})
    assert outcome["command"] == "complete", outcome
    request = gateway.messages[-1]
    assert (request.name, request.correlationKey) == ("paid", "o-1")
    assert json.loads(request.variables) == {"amount": 3}
    assert set(outcome["variables"]["r"]) == {"messageKey", "tenantId"}


async def test_the_api_correlates_over_the_rest_api_when_configured(
    migrated: str, gateway: TestGateway, adapter: ZeebeAdapter, rest: CamundaRestStandIn
) -> None:
    receiver = await waiting_receiver(adapter, "o-1")
    async with running_app(
        migrated, zeebe_address=gateway.address, camunda_rest_address=rest.address
    ) as app:
        outcome = await invoke(app, CORRELATE)
    assert outcome["command"] == "complete", outcome
    assert outcome["variables"]["r"]["processInstanceKey"] == receiver
    assert len(rest.calls_to("POST", "/v2/messages/correlation")) == 1


async def run_cli(variables: dict[str, Any], env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("ZEEBE_ADDRESS",)}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("switchboard")),
        "invoke",
        TYPE,
        "--variables",
        json.dumps(variables),
        "--headers",
        '{"resultVariable": "r"}',
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**clean, **env},
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_switchboard_invoke_publishes_through_zeebe(gateway: TestGateway) -> None:
    code, out, err = await run_cli(PUBLISH, {"ZEEBE_ADDRESS": gateway.address})
    assert code == 0, err
    assert json.loads(out)["variables"]["r"]["tenantId"] == "<default>"
    assert gateway.messages[-1].name == "paid"
    assert "Traceback" not in err and "Task was destroyed" not in err


async def test_switchboard_invoke_correlate_without_the_rest_api_is_refused(
    gateway: TestGateway,
) -> None:
    code, out, err = await run_cli(CORRELATE, {"ZEEBE_ADDRESS": gateway.address})
    assert code == 1, err
    outcome = json.loads(out)
    assert outcome["retries"] == 0
    assert "CAMUNDA_REST_ADDRESS" in outcome["errorMessage"]
    assert gateway.messages == []
