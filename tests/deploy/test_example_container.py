"""The example as a container runs it, against the test gateway: `switchboard serve` started
through the image's entrypoint with the image's environment (connectors discovered from
the installed package, the secret from a SECRET_ variable), examples/deploy_and_start.py
deploying and starting, and the served worker completing the REST job."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.deploy.container import Server
from tests.deploy.example_support import TOKEN, StatusService, exercise_example
from tests.deploy.test_compose import COMPOSE_FILE
from tests.support.gateway import TestGateway


@pytest.fixture
async def switchboard(gateway: TestGateway, tmp_path: Path) -> AsyncIterator[Server]:
    server = Server(
        tmp_path,
        ZEEBE_ADDRESS=gateway.address,
        ZEEBE_INSECURE_CONNECTION="true",
        SECRET_DEMO_API_TOKEN=TOKEN,
        SWITCHBOARD_WORKER_REQUEST_TIMEOUT_SECONDS="1",
        SWITCHBOARD_WORKER_RECONNECT_MAX_BACKOFF_SECONDS="0.5",
        SWITCHBOARD_SHUTDOWN_GRACE_SECONDS="5",
    )
    try:
        await server.wait_live_async()
        yield server
    finally:
        if server.process.poll() is None:
            await server.terminate_async()


def compose_healthcheck() -> str:
    """The Python code of the switchboard service's healthcheck in docker-compose.yml."""
    text = COMPOSE_FILE.read_text()
    service = text.split("\n  switchboard:\n", 1)[1]
    line = next(row for row in service.splitlines() if "urllib.request.urlopen" in row)
    return line.strip().removeprefix("- ").strip('"')


async def wait_ready(server: Server, timeout: float = 30) -> None:  # noqa: ASYNC109
    """Wait (bounded) for /health/ready: database, secrets and the Zeebe connection up."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = await asyncio.to_thread(server.get, "/health/ready")
        if status == 200:
            return
        assert time.monotonic() < deadline, f"not ready within {timeout}s: {body!r}"
        await asyncio.sleep(0.1)


async def test_served_worker_runs_the_example(
    gateway: TestGateway, switchboard: Server, status_service: StatusService
) -> None:
    await wait_ready(switchboard)
    # The compose file's healthcheck for the service passes against it.
    code = compose_healthcheck().replace("127.0.0.1:8080", f"127.0.0.1:{switchboard.port}")
    check = await asyncio.create_subprocess_exec(sys.executable, "-c", code)
    assert await check.wait() == 0

    await exercise_example(gateway, status_service)

    # The secret reached the service but not the logs.
    assert TOKEN not in switchboard.log()
