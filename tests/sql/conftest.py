"""Fixtures for the SQL connector tests: the machine's PostgreSQL (127.0.0.1:5432, user
``postgres``) and MariaDB (127.0.0.1:3306, ``root`` without password, database ``test``).

PostgreSQL gets a scratch database of its own for the session; MariaDB a table name unique to
the test and a login with a password (PostgreSQL trusts every loopback login here, so wrong
passwords are tested on MariaDB, unknown roles on PostgreSQL).
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator

import aiomysql
import asyncpg
import pytest

from connectors.sql import aclose

PG_DATABASE = os.environ.get("SWITCHBOARD_TEST_DB", "switchboard_test") + "_sqlconn"
MARIADB_USER = "sb_sql_user"
MARIADB_PASSWORD = "S3cret-Pa55-sql"


@pytest.fixture(autouse=True)
async def fresh_pool() -> AsyncIterator[None]:
    """Each test starts with no pooled engine and leaves none open."""
    await aclose()
    yield
    await aclose()


@pytest.fixture(scope="session")
async def pg_database() -> AsyncIterator[str]:
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await admin.close()
    yield PG_DATABASE
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def table() -> Iterator[str]:
    yield f"sb_sql_{uuid.uuid4().hex[:12]}"


async def pg(database: str, sql: str, *args: object) -> list[asyncpg.Record]:
    """Run SQL on the scratch database directly (set-up and read-back only)."""
    conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database=database)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def maria(sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run SQL on MariaDB's ``test`` database directly (set-up and read-back only)."""
    try:
        conn = await aiomysql.connect(host="127.0.0.1", port=3306, user="root", db="test")
    except Exception as exc:  # fail (never skip) with the way out
        pytest.fail(
            f"MariaDB does not answer on 127.0.0.1:3306 as root ({exc}): run "
            "`make mariadb` (scripts/ensure-mariadb.sh)",
            pytrace=False,
        )
    try:
        async with conn.cursor() as cursor:
            with warnings.catch_warnings():  # "IF EXISTS" notes come back as warnings
                warnings.simplefilter("ignore")
                await cursor.execute(sql, args or None)
            rows = await cursor.fetchall()
        await conn.commit()
        return list(rows)
    finally:
        conn.close()


@pytest.fixture
async def pg_table(pg_database: str, table: str) -> AsyncIterator[str]:
    await pg(
        pg_database,
        f"CREATE TABLE {table} (id int PRIMARY KEY, name text, age int, department text)",
    )
    await pg(
        pg_database,
        f"INSERT INTO {table} VALUES (1, 'John Doe', 30, 'IT'), (2, 'Jane Doe', 25, 'HR'), "
        "(3, 'Alice', 35, 'Finance')",
    )
    yield table
    await pg(pg_database, f"DROP TABLE IF EXISTS {table}")


@pytest.fixture
async def maria_table(table: str) -> AsyncIterator[str]:
    await maria(
        f"CREATE TABLE {table} (id int PRIMARY KEY, name varchar(64), age int, "
        "department varchar(32))"
    )
    await maria(
        f"INSERT INTO {table} VALUES (1, 'John Doe', 30, 'IT'), (2, 'Jane Doe', 25, 'HR'), "
        "(3, 'Alice', 35, 'Finance')"
    )
    yield table
    await maria(f"DROP TABLE IF EXISTS {table}")


@pytest.fixture(scope="session")
async def maria_login() -> AsyncIterator[tuple[str, str]]:
    """A MariaDB login with a password, allowed on the ``test`` database."""
    await maria(f"DROP USER IF EXISTS '{MARIADB_USER}'@'127.0.0.1'")
    await maria(f"CREATE USER '{MARIADB_USER}'@'127.0.0.1' IDENTIFIED BY '{MARIADB_PASSWORD}'")
    await maria(f"GRANT ALL PRIVILEGES ON test.* TO '{MARIADB_USER}'@'127.0.0.1'")
    yield MARIADB_USER, MARIADB_PASSWORD
    await maria(f"DROP USER IF EXISTS '{MARIADB_USER}'@'127.0.0.1'")
