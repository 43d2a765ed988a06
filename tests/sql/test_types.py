"""Column values as Camunda's connector returns them, read from the real servers.

Camunda reads columns with JDBC ``getObject`` and writes them with its object mapper
(camunda/connectors ``connector-commons/connector-object-mapper/src/main/java/io/camunda/
connector/jackson/ConnectorsObjectMapperSupplier.java``: ``JavaTimeModule``,
``WRITE_DATES_AS_TIMESTAMPS`` disabled, so ``java.sql.Timestamp`` is an ISO text in UTC with
milliseconds, ``java.sql.Date``/``Time`` their ``toString()``, ``BigDecimal`` a number,
``byte[]`` base64) and parses JSON columns (``connectors/jdbc/src/main/java/io/camunda/
connector/jdbc/model/client/JdbiJsonHelper.java``: PostgreSQL ``json``/``jsonb``, MySQL
``JSON``). Parameters come from the process as JSON (strings for dates, any number) and are
bound, never interpolated.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sql import sql
from connectors.sql.errors import NoResultsError, SqlBindingError, SqlTimeoutError
from connectors.sql.models import SqlInput
from tests.sql.conftest import maria, pg


async def run(connection: dict[str, Any], database: str, data: dict[str, Any]) -> Any:
    return await sql.function(
        SqlInput.model_validate({"database": database, "connection": connection, "data": data})
    )


def pg_connection(database: str) -> dict[str, Any]:
    return {
        "authType": "uri",
        "uri": f"jdbc:postgresql://127.0.0.1:5432/{database}",
        "uriProperties": {"user": "postgres"},
    }


MARIA = {
    "authType": "detailed",
    "host": "127.0.0.1",
    "port": 3306,
    "username": "root",
    "databaseName": "test",
}


async def test_postgresql_types(pg_database: str, table: str) -> None:
    await pg(
        pg_database,
        f"CREATE TABLE {table} (id int, price numeric(10,2), big numeric(30,0), n8 bigint, "
        "f float8, ok boolean, d date, ts timestamp(3), tstz timestamptz, t time, j json, "
        "jb jsonb, b bytea, u uuid, tags text[], nothing text)",
    )
    try:
        result = await run(
            pg_connection(pg_database),
            "POSTGRESQL",
            {
                "query": f"INSERT INTO {table} VALUES (:id, :price, :big, :n8, :f, :ok, :d, "
                ":ts, :tstz, :t, :j, :jb, :b, :u, :tags, :nothing)",
                "variables": {
                    "id": 1,
                    "price": 12.5,
                    "big": "123456789012345678901234567890",
                    "n8": 9007199254740993,
                    "f": 2,
                    "ok": True,
                    "d": "2024-01-31",
                    "ts": "2024-01-31T10:15:30.123",
                    "tstz": "2024-01-31T12:15:30+02:00",
                    "t": "10:15:30",
                    "j": {"street": "123 Main St", "zip": "10001"},
                    "jb": [1, {"a": None}],
                    "b": "hi",
                    "u": "8f0c9a8e-5b1e-4c39-9d3c-2f1f7f6c0a11",
                    "tags": ["x", "y"],
                    "nothing": None,
                },
            },
        )
        assert result == {"modifiedRows": 1}
        result = await run(
            pg_connection(pg_database),
            "POSTGRESQL",
            {"returnResults": True, "query": f"SELECT * FROM {table}"},
        )
        assert result == {
            "resultSet": [
                {
                    "id": 1,
                    "price": 12.5,
                    "big": 123456789012345678901234567890,
                    "n8": 9007199254740993,
                    "f": 2.0,
                    "ok": True,
                    "d": "2024-01-31",
                    "ts": "2024-01-31T10:15:30.123+00:00",
                    "tstz": "2024-01-31T10:15:30.000+00:00",
                    "t": "10:15:30",
                    "j": {"street": "123 Main St", "zip": "10001"},
                    "jb": [1, {"a": None}],
                    "b": "aGk=",
                    "u": "8f0c9a8e-5b1e-4c39-9d3c-2f1f7f6c0a11",
                    "tags": ["x", "y"],
                    "nothing": None,
                }
            ]
        }
    finally:
        await pg(pg_database, f"DROP TABLE IF EXISTS {table}")


async def test_mariadb_types(table: str) -> None:
    await maria(
        f"CREATE TABLE {table} (id int, price decimal(10,2), ok tinyint(1), d date, "
        "ts datetime(3), t time, j json, b blob, nothing varchar(8), txt longtext)"
    )
    try:
        result = await run(
            MARIA,
            "MARIADB",
            {
                "query": f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "variables": [
                    1,
                    "12.50",
                    True,
                    "2024-01-31",
                    "2024-01-31 10:15:30.123",
                    "10:15:30",
                    {"a": [1, 2]},
                    "hi",
                    None,
                    '{"not": "parsed"}',
                ],
            },
        )
        assert result == {"modifiedRows": 1}
        result = await run(
            MARIA, "MARIADB", {"returnResults": True, "query": f"SELECT * FROM {table}"}
        )
        [row] = result["resultSet"]
        assert row == {
            "id": 1,
            "price": 12.5,
            "ok": True,
            "d": "2024-01-31",
            "ts": "2024-01-31T10:15:30.123+00:00",
            "t": "10:15:30",
            # MariaDB's JSON (LONGTEXT with a json_valid check) is parsed, as in Camunda.
            "j": {"a": [1, 2]},
            "b": "aGk=",
            "nothing": None,
            "txt": '{"not": "parsed"}',  # a plain LONGTEXT stays text
        }
    finally:
        await maria(f"DROP TABLE IF EXISTS {table}")


async def test_literal_percent_and_quoted_markers_stay_text(table: str) -> None:
    await maria(f"CREATE TABLE {table} (name varchar(32))")
    try:
        await run(MARIA, "MARIADB", {"query": f"INSERT INTO {table} VALUES ('100%'), (':x?')"})
        result = await run(
            MARIA,
            "MARIADB",
            {
                "returnResults": True,
                "query": f"SELECT name FROM {table} WHERE name LIKE '%\\%' OR name = ? "
                "ORDER BY name",
                "variables": [":x?"],
            },
        )
        assert result == {"resultSet": [{"name": "100%"}, {"name": ":x?"}]}
    finally:
        await maria(f"DROP TABLE IF EXISTS {table}")


async def test_ddl_counts_zero_and_several_statements_run_on_postgresql(
    pg_database: str, table: str
) -> None:
    result = await run(
        pg_connection(pg_database),
        "POSTGRESQL",
        {"query": f"CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (1), (2)"},
    )
    assert result == {"modifiedRows": 2}
    result = await run(pg_connection(pg_database), "POSTGRESQL", {"query": f"DROP TABLE {table}"})
    assert result == {"modifiedRows": 0}


async def test_return_results_on_an_insert_fails_and_changes_nothing(
    pg_database: str, pg_table: str, maria_table: str
) -> None:
    """Camunda's Jdbi raises ``NoResultsException``; here the insert never happens."""
    with pytest.raises(NoResultsError, match="Statement returned no results"):
        await run(
            pg_connection(pg_database),
            "POSTGRESQL",
            {"returnResults": True, "query": f"INSERT INTO {pg_table} VALUES (9, 'x', 1, 'y')"},
        )
    assert await pg(pg_database, f"SELECT 1 FROM {pg_table} WHERE id = 9") == []
    with pytest.raises(NoResultsError):
        await run(
            MARIA,
            "MARIADB",
            {"returnResults": True, "query": f"INSERT INTO {maria_table} VALUES (9, 'x', 1, 'y')"},
        )
    assert await maria(f"SELECT 1 FROM {maria_table} WHERE id = 9") == []


async def test_returning_rows_from_an_insert(pg_database: str, pg_table: str) -> None:
    result = await run(
        pg_connection(pg_database),
        "POSTGRESQL",
        {
            "returnResults": True,
            "query": f"INSERT INTO {pg_table} VALUES (:id, :name, 1, 'x') RETURNING id, name",
            "variables": {"id": "10", "name": "Zed"},
        },
    )
    assert result == {"resultSet": [{"id": 10, "name": "Zed"}]}


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ("SELECT :a", {}, "Missing named parameter 'a' in binding"),
        ("SELECT 1", {"a": 1}, "Superfluous named parameters provided while the query declares"),
        ("SELECT ?, :a", {"a": 1}, "Cannot mix named and positional parameters"),
        ("SELECT ?", [], "Missing positional parameter at position 0"),
        ("SELECT 1", "text", "Only a context (named parameters) or a list"),
        ("SELECT :d::date", {"d": "not a date"}, None),
        ("SELECT 1 WHERE 1 = ANY(<ids>)", {"ids": []}, "an empty list cannot be bound"),
    ],
)
async def test_binding_errors(
    pg_database: str, query: str, variables: Any, message: str | None
) -> None:
    with pytest.raises(SqlBindingError) as raised:
        await run(
            pg_connection(pg_database),
            "POSTGRESQL",
            {"returnResults": True, "query": query, "variables": variables},
        )
    if message is not None:
        assert message in str(raised.value)
    assert raised.value.code is None


async def test_a_slow_statement_times_out_and_the_next_job_works(pg_database: str) -> None:
    connection = pg_connection(pg_database)
    connection["uriProperties"] = {"user": "postgres", "socketTimeout": "1"}
    with pytest.raises(SqlTimeoutError, match="no answer within 1 seconds"):
        await run(connection, "POSTGRESQL", {"query": "SELECT pg_sleep(5)"})
    assert await run(
        connection, "POSTGRESQL", {"returnResults": True, "query": "SELECT 1 AS one"}
    ) == {"resultSet": [{"one": 1}]}


async def test_an_update_counts_matched_rows_as_the_mariadb_driver_does(maria_table: str) -> None:
    """MariaDB Connector/J reports found rows (``useAffectedRows=false``): an UPDATE that sets
    the value it already has still counts."""
    result = await run(
        MARIA,
        "MARIADB",
        {"query": f"UPDATE {maria_table} SET department = 'IT' WHERE id = 1"},
    )
    assert result == {"modifiedRows": 1}


async def test_a_slow_mariadb_statement_times_out_and_the_next_job_works() -> None:
    connection = {**MARIA, "properties": {"socketTimeout": "1000"}}  # milliseconds
    with pytest.raises(SqlTimeoutError, match="no answer within 1 seconds"):
        await run(connection, "MARIADB", {"query": "SELECT SLEEP(5)"})
    assert await run(
        connection, "MARIADB", {"returnResults": True, "query": "SELECT 1 AS one"}
    ) == {"resultSet": [{"one": 1}]}


async def test_create_database_runs_outside_a_transaction(pg_database: str) -> None:
    """``CREATE DATABASE`` cannot run in a transaction block; Camunda's auto-commit JDBC
    connection runs it, and so does this connector (count 0, as for DDL)."""
    name = f"{pg_database}_created"
    await pg(pg_database, f'DROP DATABASE IF EXISTS "{name}"')
    try:
        result = await run(
            pg_connection(pg_database), "POSTGRESQL", {"query": f'CREATE DATABASE "{name}"'}
        )
        assert result == {"modifiedRows": 0}
        assert await pg(pg_database, "SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await pg(pg_database, f'DROP DATABASE IF EXISTS "{name}"')
