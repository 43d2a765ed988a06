"""Fixtures of the inbound tests: PostgreSQL at head with no inbound registrations, a fresh
test gateway (real gRPC), and the real application served by uvicorn on loopback (real
HTTP), pointed at both."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update

from app.db import migrate
from app.db.models import ExecutionRow, InboundDefinitionRow, InboundElementRow, InboundStateRow
from app.db.session import create_engine, session_factory
from tests.api.harness import ADMIN_KEY, running_app, serving
from tests.support.app import StartedApp
from tests.support.gateway import TestGateway
from tests.zeebe.conftest import WORKER_DEFAULTS


@pytest.fixture(scope="session")
async def inbound_db(postgres_url: str) -> str:
    await migrate.upgrade(postgres_url)
    return postgres_url


async def clean_inbound(url: str) -> None:
    """No registrations, no inbound executions: each test starts from nothing."""
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            await session.execute(delete(InboundElementRow))
            await session.execute(delete(InboundDefinitionRow))
            await session.execute(delete(ExecutionRow).where(ExecutionRow.direction == "inbound"))
            await session.execute(
                update(InboundStateRow).values(generation=InboundStateRow.generation + 1)
            )
    finally:
        await engine.dispose()


@pytest.fixture
async def clean_db(inbound_db: str) -> str:
    await clean_inbound(inbound_db)
    return inbound_db


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@dataclass
class Served:
    """The application, served on loopback, and an HTTP client for it."""

    app: StartedApp
    url: str
    http: httpx.AsyncClient
    gateway: TestGateway

    async def deploy(self, *files: tuple[str, bytes], key: str = ADMIN_KEY) -> httpx.Response:
        return await self.http.post(
            "/api/v1/deployments",
            files=[("resources", (name, content, "application/xml")) for name, content in files],
            headers={"Authorization": f"Bearer {key}"},
        )

    async def inbound(self, key: str = ADMIN_KEY) -> list[dict[str, Any]]:
        response = await self.http.get(
            "/api/v1/inbound", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result


APP_DEFAULTS: dict[str, Any] = {
    **WORKER_DEFAULTS,
    "inbound_poll_interval_seconds": 0.2,
    "history_flush_interval_seconds": 0.05,
}


@contextlib.asynccontextmanager
async def serve_app(
    url: str,
    gateway: TestGateway | None,
    app_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[Served]:
    values = {**APP_DEFAULTS, **overrides}
    if gateway is not None:
        values.setdefault("zeebe_address", gateway.address)
    async with running_app(url, app_options=app_options, **values) as app, serving(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10.0) as http:
            yield Served(app, base, http, gateway)  # type: ignore[arg-type]


@pytest.fixture
async def serve(
    clean_db: str, gateway: TestGateway
) -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """``await serve(**settings)``: the app on the clean database and the gateway."""
    stack = contextlib.AsyncExitStack()

    async def start(**overrides: Any) -> Served:
        return await stack.enter_async_context(serve_app(clean_db, gateway, **overrides))

    async with stack:
        yield start
