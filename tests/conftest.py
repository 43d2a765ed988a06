"""Shared fixtures: database URLs for PostgreSQL (default) and SQLite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get(
    "SWITCHBOARD_TEST_POSTGRES_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/"
    + os.environ.get("SWITCHBOARD_TEST_DB", "switchboard_test"),
)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return POSTGRES_URL


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Run a database test on PostgreSQL and on a fresh SQLite file."""
    if request.param == "postgresql":
        yield POSTGRES_URL
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
