"""Two ``switchboard serve`` processes on one PostgreSQL serve the same webhooks: a
deployment through one (POST /api/v1/deployments), or with ``switchboard deploy``, is
served by the other within one poll interval (SWITCHBOARD_INBOUND_POLL_INTERVAL; Camunda's
runtime polls every 5 s by default: camunda/connectors connector-runtime-spring
.../inbound/importer/ImportSchedulers.java, ``camunda.connector.polling.interval:5000``).
``switchboard inbound`` prints what a server serves. Real processes, real HTTP, real gRPC."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.api.harness import ADMIN_KEY
from tests.support.gateway import TestGateway
from tests.support.modeler import apply_inbound_template
from tests.support.waiting import eventually
from tests.templates.official import official_template

START = "io.camunda.connectors.webhook.WebhookConnector.v1"
POLL = 0.5
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(db: str, gateway: TestGateway, **extra: str) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "SWITCHBOARD_DATABASE_URL": db,
        "ZEEBE_ADDRESS": gateway.address,
        "SWITCHBOARD_ADMIN_API_KEY": ADMIN_KEY,
        "SWITCHBOARD_INBOUND_POLL_INTERVAL": str(POLL),
        "SWITCHBOARD_WORKER_REQUEST_TIMEOUT_SECONDS": "2",
        "SWITCHBOARD_SESSION_SECRET": "replica-test-session-secret-0123456789",
        **extra,
    }


@contextlib.asynccontextmanager
async def switchboard_serve(db: str, gateway: TestGateway, cwd: Path) -> AsyncIterator[str]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        str(BIN / "switchboard"),
        "serve",
        env=_env(db, gateway, SWITCHBOARD_PORT=str(port)),
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:

            async def up() -> bool:
                if process.returncode is not None:
                    err = await process.stderr.read() if process.stderr else b""
                    raise AssertionError(f"switchboard serve exited: {err.decode()[-2000:]}")
                try:
                    return (await http.get(f"{url}/health/live")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(up, within=90, every=0.1, what="switchboard serve to answer")
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_two_replicas_serve_what_either_deployed(
    clean_db: str, gateway: TestGateway, tmp_path: Path
) -> None:
    async with (
        switchboard_serve(clean_db, gateway, tmp_path) as first,
        switchboard_serve(clean_db, gateway, tmp_path) as second,
        httpx.AsyncClient(timeout=10) as http,
    ):
        applied = apply_inbound_template(
            official_template(START),
            {"inbound.context": "replicated", "resultExpression": "={n: request.body.n}"},
        )
        deployed = await http.post(
            f"{first}/api/v1/deployments",
            files=[("resources", ("r.bpmn", applied.bpmn("replicated"), "application/xml"))],
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
        assert deployed.status_code == 200, deployed.text
        at = time.monotonic()

        async def served_by_second() -> bool:
            response = await http.post(f"{second}/inbound/replicated", json={"n": 2})
            return response.status_code == 200

        # One poll interval in principle; the bound is loose because a loaded test machine
        # can take seconds to answer at all.
        await eventually(served_by_second, within=30, every=0.05, what="replica 2")
        assert time.monotonic() - at < 30
        assert (await http.post(f"{first}/inbound/replicated", json={"n": 1})).status_code == 200
        assert sorted(i.variables["n"] for i in gateway.instances.values()) == [1, 2]


async def test_switchboard_deploy_is_served_and_switchboard_inbound_shows_it(
    clean_db: str, gateway: TestGateway, tmp_path: Path
) -> None:
    applied = apply_inbound_template(official_template(START), {"inbound.context": "from-cli"})
    bpmn = tmp_path / "cli.bpmn"
    bpmn.write_bytes(applied.bpmn("from-cli"))
    async with switchboard_serve(clean_db, gateway, tmp_path) as url, httpx.AsyncClient() as http:
        deploy = await asyncio.create_subprocess_exec(
            str(BIN / "switchboard"),
            "deploy",
            str(bpmn),
            env=_env(clean_db, gateway),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(deploy.communicate(), 30)
        assert deploy.returncode == 0, err.decode()
        answer = json.loads(out)
        assert answer["processes"][0]["bpmnProcessId"] == "from-cli"
        assert answer["inboundElements"][0]["webhookPath"] == "/inbound/from-cli"

        async def served() -> bool:
            return (await http.post(f"{url}/inbound/from-cli", json={})).status_code == 200

        await eventually(served, within=30, every=0.05, what="the server to serve it")
        listing = await asyncio.create_subprocess_exec(
            str(BIN / "switchboard"),
            "inbound",
            "--json",
            "--url",
            url,
            env={**_env(clean_db, gateway), "SWITCHBOARD_API_KEY": ADMIN_KEY},
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(listing.communicate(), 30)
        assert listing.returncode == 0, err.decode()
        [element] = json.loads(out)
        assert (element["elementId"], element["state"], element["webhookPath"]) == (
            "inbound",
            "active",
            "/inbound/from-cli",
        )
        table = await asyncio.create_subprocess_exec(
            str(BIN / "switchboard"),
            "inbound",
            "--url",
            url,
            env={**_env(clean_db, gateway), "SWITCHBOARD_API_KEY": ADMIN_KEY},
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
        )
        text, _ = await asyncio.wait_for(table.communicate(), 30)
        assert b"/inbound/from-cli" in text and b"active" in text


async def test_switchboard_deploy_without_zeebe_is_one_line(tmp_path: Path) -> None:
    bpmn = tmp_path / "x.bpmn"
    bpmn.write_bytes(b"<x/>")
    process = await asyncio.create_subprocess_exec(
        str(BIN / "switchboard"),
        "deploy",
        str(bpmn),
        env={"PATH": os.environ.get("PATH", ""), "HOME": "/tmp"},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 78  # configuration error (docs/cli.md)
    assert err.decode().strip() == "switchboard deploy: Zeebe is not configured: set ZEEBE_ADDRESS"
