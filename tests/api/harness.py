"""The real application on a real database, for API and UI tests."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from app.db import apikeys
from app.db.models import ExecutionRow
from app.main import create_app
from app.settings import Settings

ADMIN_KEY = "sb_test-admin-key-" + "a" * 32


@contextlib.asynccontextmanager
async def running_app(url: str, **overrides: Any) -> AsyncIterator[FastAPI]:
    """``create_app`` with its lifespan running. Until the lifespan wires the runtime and
    the history writer itself, they are wired here the way the lifespan is meant to."""
    overrides.setdefault("admin_api_key", ADMIN_KEY)
    settings = Settings(_env_file=None, database_url=url, **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app), contextlib.AsyncExitStack() as stack:
        if getattr(app.state, "secrets", None) is None:
            await _wire_secrets(app, settings, stack)
        if getattr(app.state, "runtime", None) is None:
            await _wire_runtime(app, settings, stack)
        yield app


async def _wire_secrets(app: FastAPI, settings: Settings, stack: contextlib.AsyncExitStack) -> None:
    from app.secrets import SecretsService

    service = SecretsService.from_settings(settings)
    await service.start()
    stack.push_async_callback(service.close)
    app.state.secrets = service


async def _wire_runtime(app: FastAPI, settings: Settings, stack: contextlib.AsyncExitStack) -> None:
    from app.db.history import HistoryWriter
    from app.metrics import MetricsHistorySink
    from app.runtime.executor import ConnectorRuntime

    writer = HistoryWriter.from_settings(app.state.engine, settings)
    await writer.start()
    stack.push_async_callback(writer.stop)
    app.state.history = writer
    runtime = ConnectorRuntime.from_settings(
        app.state.registry.get, settings, history=MetricsHistorySink(writer, app.state.metrics)
    )
    stack.callback(runtime.close)
    app.state.runtime = runtime


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan already running) with uvicorn on a free loopback port."""
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        if task.done():
            raise AssertionError(f"uvicorn exited: {task.exception()!r}")
        return server.started

    await wait_for(started)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def client(app: FastAPI, key: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers
    )


async def make_key(app: FastAPI, role: str) -> str:
    _, key = await apikeys.create_key(
        app.state.sessions, name=f"test-{role}-{uuid.uuid4().hex[:6]}", role=role
    )
    return key


async def wait_for(
    check: Callable[[], Awaitable[Any]], *, within: float = 10.0, interval: float = 0.05
) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)


def execution(connector_type: str, started: dt.datetime, **values: Any) -> ExecutionRow:
    """An executions row as the history writer stores it."""
    duration = values.pop("duration_ms", 5.0)
    row = {
        "id": str(uuid.uuid4()),
        "source": "zeebe",
        "connector_type": connector_type,
        "command": "complete",
        "input": {"message": "hi"},
        "output": {"message": "hi"},
        "started_at": started,
        "finished_at": started + dt.timedelta(milliseconds=duration),
        "duration_ms": duration,
        "retries_before": 3,
    }
    row.update(values)
    return ExecutionRow(**row)


async def insert(app: FastAPI, rows: list[ExecutionRow]) -> None:
    async with app.state.sessions.begin() as session:
        session.add_all(rows)
