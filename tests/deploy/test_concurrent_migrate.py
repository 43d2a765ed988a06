"""Replicas starting at once: two `switchboard migrate` processes (through the image's
entrypoint) against one fresh PostgreSQL database both exit 0, and the schema is migrated
once. The test holds the migration lock first and releases it only when both processes
are queued on it, so they really do contend."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.db.migrate import ADVISORY_LOCK_KEY, head_revision
from tests.conftest import POSTGRES_URL
from tests.deploy.container import ENTRYPOINT, image_env


def _dsn(database: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
async def fresh_database() -> AsyncIterator[str]:
    name = f"switchboard_deploy_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_dsn("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _waiting_on_lock(connection: asyncpg.Connection, database: str) -> int:
    return int(
        await connection.fetchval(
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND objid = $1
              AND database = (SELECT oid FROM pg_database WHERE datname = $2)
            """,
            ADVISORY_LOCK_KEY,
            database,
        )
    )


async def test_two_replicas_migrating_at_once_both_succeed_and_migrate_once(
    fresh_database: str, tmp_path: Path
) -> None:
    url = make_url(POSTGRES_URL).set(database=fresh_database)
    env = image_env(tmp_path, SWITCHBOARD_DATABASE_URL=url.render_as_string(hide_password=False))
    holder = await asyncpg.connect(_dsn(fresh_database))
    processes: list[asyncio.subprocess.Process] = []
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
        for _ in range(2):
            processes.append(
                await asyncio.create_subprocess_exec(
                    "sh",
                    str(ENTRYPOINT),
                    "migrate",
                    env=env,
                    cwd=tmp_path,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
            )
        deadline = time.monotonic() + 30
        while await _waiting_on_lock(holder, fresh_database) < 2:
            assert time.monotonic() < deadline, "the two migrations never queued on the lock"
            assert all(p.returncode is None for p in processes), "a migration did not wait"
            await asyncio.sleep(0.05)
        await holder.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)

        async with asyncio.timeout(60):
            outputs = [await p.communicate() for p in processes]
        for process, (_, err) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, err.decode()

        rows = await holder.fetch("SELECT version_num FROM alembic_version")
        assert [r["version_num"] for r in rows] == [head_revision()]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await holder.close()
