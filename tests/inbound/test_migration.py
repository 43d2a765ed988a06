"""Migration 0004 (inbound registrations, inbound columns on executions) up and down, on
PostgreSQL and SQLite; an execution written before it reads as outbound after it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from app.db import migrate
from app.db.session import create_engine


async def _schema(url: str) -> tuple[set[str], set[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync):  # type: ignore[no-untyped-def]
                found = inspect(sync)
                columns = {c["name"] for c in found.get_columns("executions")}
                return set(found.get_table_names()), columns

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


@pytest.mark.db
async def test_inbound_migration_up_and_down(database_url: str) -> None:
    await migrate.upgrade(database_url)
    await migrate.downgrade(database_url, "0003")
    tables, columns = await _schema(database_url)
    assert not {"inbound_definitions", "inbound_elements", "inbound_state"} & tables
    assert "direction" not in columns
    engine = create_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM executions WHERE id = 'pre-0004'"))
            await connection.execute(
                text(
                    "INSERT INTO executions (id, source, connector_type, command, started_at, "
                    "finished_at, duration_ms) VALUES ('pre-0004', 'zeebe', 't', 'complete', "
                    ":now, :now, 1.0)"
                ),
                {"now": now},
            )
    finally:
        await engine.dispose()
    await migrate.upgrade(database_url)
    tables, columns = await _schema(database_url)
    assert {"inbound_definitions", "inbound_elements", "inbound_state"} <= tables
    assert {"direction", "http_status", "inbound_context", "process_definition_key"} <= columns
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            direction = await connection.scalar(
                text("SELECT direction FROM executions WHERE id = 'pre-0004'")
            )
            generation = await connection.scalar(text("SELECT generation FROM inbound_state"))
            await connection.execute(text("DELETE FROM executions WHERE id = 'pre-0004'"))
    finally:
        await engine.dispose()
    assert direction == "outbound"
    assert generation is not None
