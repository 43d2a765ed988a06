"""Fixtures of the fault suite, and its figures in the terminal summary (``make test``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.db import migrate
from tests.faults.support import REPORTED, PostgresCluster, stamp


@pytest.fixture(scope="session")
async def migrated(postgres_url: str) -> str:
    """The shared test database (127.0.0.1:5432) at head."""
    await migrate.upgrade(postgres_url)
    return postgres_url


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this module alone, which its tests stop and start."""
    server = PostgresCluster().init()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not REPORTED:
        return
    terminalreporter.section("fault suite figures")
    terminalreporter.write_line(stamp())
    for figures in REPORTED:
        terminalreporter.write_line(figures.line())
    lost = sum(f.jobs_lost for f in REPORTED)
    terminalreporter.write_line(f"jobs lost over all faults: {lost}")
