"""Pooled engines: one per distinct database login, bounded, reused across jobs, disposed on
shutdown (Camunda opens a connection per job: camunda/connectors ``connectors/jdbc/src/main/
java/io/camunda/connector/jdbc/utils/ConnectionHelper.java``)."""

from __future__ import annotations

import asyncio
import contextlib

from connectors.sql import aclose
from connectors.sql.config import SqlConfig
from connectors.sql.execute import run
from connectors.sql.models import QueryData
from connectors.sql.pool import APPLICATION_NAME, EnginePool, pool
from connectors.sql.target import Target
from tests.sql.conftest import maria, pg
from tests.support.waiting import eventually


def pg_target(database: str, app: str | None = None) -> Target:
    return Target("postgresql", "127.0.0.1", 5432, database, "postgres", None, application_name=app)


async def backends(database: str, app: str) -> int:
    rows = await pg(
        database, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app
    )
    return int(rows[0][0])


async def test_jobs_share_a_bounded_pool_per_target(pg_database: str) -> None:
    app = f"{APPLICATION_NAME}-pool-test"
    target = pg_target(pg_database, app)
    query = QueryData(query="SELECT pg_sleep(0.2)", returnResults=True)
    engines = EnginePool(SqlConfig(pool_size=2))
    try:
        await asyncio.gather(*(run(engines, target, query) for _ in range(6)))
        assert engines.targets() == (target.display(),)
        assert await backends(pg_database, app) == 2  # six jobs, at most two connections
    finally:
        await engines.aclose()
    await eventually(lambda: _zero(pg_database, app), what="the pooled connections to close")


async def _zero(database: str, app: str) -> bool:
    return await backends(database, app) == 0


async def test_the_least_recently_used_target_makes_room(pg_database: str) -> None:
    engines = EnginePool(SqlConfig(max_targets=2))
    query = QueryData(query="SELECT 1", returnResults=True)
    try:
        for app in ("a", "b", "a", "c"):
            await run(engines, pg_target(pg_database, f"{APPLICATION_NAME}-{app}"), query)
        assert [t.application_name for t in engines._engines] == [
            f"{APPLICATION_NAME}-a",
            f"{APPLICATION_NAME}-c",
        ]
    finally:
        await engines.aclose()


async def test_the_shutdown_hook_disposes_this_loops_engines(pg_database: str) -> None:
    first = pool()
    await run(first, pg_target(pg_database), QueryData(query="SELECT 1"))
    await aclose()
    assert pool() is not first


async def test_a_connection_the_server_closed_is_replaced_without_failing_a_job(
    pg_database: str,
) -> None:
    app = f"{APPLICATION_NAME}-restart-test"
    target = pg_target(pg_database, app)
    query = QueryData(query="SELECT 1 AS one", returnResults=True)
    engines = EnginePool(SqlConfig(pool_size=1))
    try:
        assert await run(engines, target, query) == {"resultSet": [{"one": 1}]}
        # What a server restart does to an idle pooled connection.
        await pg(
            pg_database,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            app,
        )
        await eventually(lambda: _zero(pg_database, app), what="the backend to end")
        assert await run(engines, target, query) == {"resultSet": [{"one": 1}]}
    finally:
        await engines.aclose()


async def test_a_mariadb_connection_killed_by_the_server_is_replaced() -> None:
    target = Target("mysql", "127.0.0.1", 3306, "test", "root", None)
    query = QueryData(query="SELECT CONNECTION_ID() AS id", returnResults=True)
    engines = EnginePool(SqlConfig(pool_size=1))
    try:
        [row] = (await run(engines, target, query))["resultSet"]
        await maria(f"KILL {int(row['id'])}")  # what a server restart does to it
        [again] = (await run(engines, target, query))["resultSet"]
        assert again["id"] != row["id"]
    finally:
        await engines.aclose()


async def test_a_cancelled_job_never_hands_its_connection_to_the_next(
    pg_database: str, pg_table: str
) -> None:
    """A job cancelled mid-statement (shutdown, job deadline) must not leave its transaction
    open on a pooled connection, or the next job's changes would never be committed."""
    target = pg_target(pg_database)
    engines = EnginePool(SqlConfig(pool_size=1))
    try:
        slow = asyncio.create_task(
            run(
                engines,
                target,
                QueryData(
                    query=f"UPDATE {pg_table} SET age = age + 1 WHERE pg_sleep(5) IS NOT NULL"
                ),
            )
        )
        await eventually(
            lambda: _running(pg_database, "pg_sleep(5)"), what="the slow statement to start"
        )
        slow.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slow
        insert = QueryData(query=f"INSERT INTO {pg_table} VALUES (40, 'After', 1, 'X')")
        assert await run(engines, target, insert) == {"modifiedRows": 1}
    finally:
        await engines.aclose()
    # Committed: another connection sees it, and the cancelled update did not happen.
    assert await pg(pg_database, f"SELECT name FROM {pg_table} WHERE id = 40") != []
    rows = await pg(pg_database, f"SELECT age FROM {pg_table} WHERE id = 1")
    assert rows[0][0] == 30


async def _running(database: str, fragment: str) -> bool:
    rows = await pg(
        database,
        "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND position($1 in query) > 0 "
        "AND pid <> pg_backend_pid()",
        fragment,
    )
    return bool(rows)
