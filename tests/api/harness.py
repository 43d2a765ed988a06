"""The real application on a real database, for API and UI tests."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from app.db import apikeys
from app.db.models import ExecutionRow
from app.main import create_app
from app.settings import Settings
from tests.support.app import StartedApp, started
from tests.support.waiting import eventually

ADMIN_KEY = "sb_test-admin-key-" + "a" * 32
SESSION_SECRET = "test-session-secret-" + "s" * 32


@contextlib.asynccontextmanager
async def running_app(
    url: str, *, app_options: dict[str, Any] | None = None, **overrides: Any
) -> AsyncIterator[StartedApp]:
    """``create_app`` on ``url`` with its lifespan running (``app_options``: keyword
    arguments of ``create_app``)."""
    overrides.setdefault("admin_api_key", ADMIN_KEY)
    overrides.setdefault("session_secret", SESSION_SECRET)
    settings = Settings(_env_file=None, database_url=url, **overrides)
    async with started(create_app(settings, **(app_options or {}))) as app:
        yield app


@contextlib.asynccontextmanager
async def serving(app: StartedApp) -> AsyncIterator[str]:
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

    await eventually(started)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def client(app: StartedApp, key: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers
    )


async def make_key(app: StartedApp, role: str) -> str:
    _, key = await apikeys.create_key(
        app.services.sessions, name=f"test-{role}-{uuid.uuid4().hex[:6]}", role=role
    )
    return key


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


async def insert(app: StartedApp, rows: list[ExecutionRow]) -> None:
    async with app.services.sessions.begin() as session:
        session.add_all(rows)
