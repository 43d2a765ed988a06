"""Fixtures of the API tests: PostgreSQL at head, the app running, keys for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.db import migrate
from tests.api.harness import make_key, running_app
from tests.support.app import StartedApp


@pytest.fixture(scope="session")
async def migrated(postgres_url: str) -> str:
    await migrate.upgrade(postgres_url)
    return postgres_url


@pytest.fixture
async def app(migrated: str) -> AsyncIterator[StartedApp]:
    async with running_app(migrated) as running:
        yield running


@pytest.fixture
async def keys(app: StartedApp) -> dict[str, str]:
    return {role: await make_key(app, role) for role in ("viewer", "operator", "admin")}
