"""Run one statement on a pooled connection and shape Camunda's response.

Facts: camunda/connectors ``connectors/jdbc/.../model/client/JdbiJdbcClient.java`` and
``model/response/JdbcResponse.java``: ``returnResults`` true -> ``{"resultSet": [row, ...]}``
(each row a column-label -> value map), false -> ``{"modifiedRows": n}`` with the driver's
update count (-1 for a statement that returns rows, 0 for DDL). A statement that returns no
rows with ``returnResults`` true fails (Jdbi's ``NoResultsException``); here it is refused
before it runs (PostgreSQL) or rolled back (MySQL), so a failed job leaves no change behind.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from connectors.sql import mariadb
from connectors.sql.config import SqlConfig
from connectors.sql.errors import (
    NoResultsError,
    SqlBindingError,
    SqlConnectionError,
    SqlError,
    SqlStatementError,
    SqlTimeoutError,
)
from connectors.sql.models import QueryData
from connectors.sql.params import Statement, escape_percent, prepare
from connectors.sql.pool import EnginePool, connect_timeout
from connectors.sql.target import Target
from connectors.sql.values import (
    ArgumentError,
    mysql_argument,
    parse_json_column,
    pg_argument,
    to_json,
)

NO_RESULTS = "Statement returned no results"
_MYSQL_JSON = 245
_MYSQL_TINY = 1
_MYSQL_BIT = 16
_COUNT = re.compile(r"(\d+)\s*$")


async def run(pool: EnginePool, target: Target, data: QueryData) -> dict[str, Any]:
    """Execute ``data`` on ``target``; ``{"resultSet": ...}`` or ``{"modifiedRows": ...}``."""
    config = pool.config
    engine = pool.engine(target)
    conn = await _connect(engine, target, config)
    try:
        try:
            async with asyncio.timeout(target.socket_timeout or config.query_timeout_seconds):
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                if target.dialect == "postgresql":
                    return await _run_postgres(driver, data)
                return await _run_mysql(driver, data)
        except TimeoutError:
            await _discard(conn)
            seconds = target.socket_timeout or config.query_timeout_seconds
            raise SqlTimeoutError(
                f"Error while executing the query [{data.query}]: no answer within "
                f"{seconds:g} seconds"
            ) from None
        except asyncio.CancelledError:
            # The job was cancelled (shutdown, job deadline) mid-statement: the connection
            # may still be inside the statement or its transaction, so it never goes back.
            await _discard(conn)
            raise
        except SqlError:
            raise
        except (OSError, asyncpg.exceptions.ConnectionDoesNotExistError) as exc:
            await _discard(conn)
            raise SqlStatementError(
                f"Error while executing the query [{data.query}]: the connection was lost "
                f"({_reason(exc)})"
            ) from None
        except Exception as exc:
            raise SqlStatementError(
                f"Error while executing the query [{data.query}]: {_reason(exc)}"
            ) from None
    finally:
        await _close(conn)


async def _connect(engine: Any, target: Target, config: SqlConfig) -> AsyncConnection:
    try:
        async with asyncio.timeout(connect_timeout(target, config) + 1):
            conn: AsyncConnection = await engine.connect()
            return conn
    except TimeoutError:
        raise SqlConnectionError(
            f"Cannot create the Database connection: {target.display()} did not answer within "
            f"{connect_timeout(target, config):g} seconds"
        ) from None
    except Exception as exc:
        raise SqlConnectionError(
            f"Cannot create the Database connection to {target.display()}: {_reason(exc)}"
        ) from None


# -- PostgreSQL (asyncpg) ------------------------------------------------------------------


class _SeveralStatements(Exception):
    """The query holds several statements (PostgreSQL prepares one at a time)."""


async def _run_postgres(driver: asyncpg.Connection, data: QueryData) -> dict[str, Any]:
    statement = prepare(data.query, data.variables, lambda i: f"${i + 1}")
    if driver.is_in_transaction():  # never nest in a transaction left behind
        await driver.execute("ROLLBACK")
    # One transaction per statement: it commits with the job's success, and a failure (or a
    # statement refused before it runs) leaves nothing behind and no lock held.
    transaction = driver.transaction()
    await transaction.start()
    try:
        result = await _postgres_statement(driver, data, statement)
    except _SeveralStatements:
        # Several statements without parameters: the simple protocol runs them in one
        # implicit transaction, as pgjdbc does; the count is the last one's.
        await transaction.rollback()
        status = await driver.execute(statement.sql)
        return {"modifiedRows": _status_count(status)}
    except asyncpg.exceptions.ActiveSQLTransactionError:
        # CREATE DATABASE, VACUUM...: refused inside a transaction, so run on its own, as
        # the JDBC connection in auto-commit mode runs it.
        await transaction.rollback()
        return await _postgres_statement(driver, data, statement)
    except asyncio.CancelledError:
        raise  # timed out: the caller discards the connection, the server rolls back
    except BaseException:
        await transaction.rollback()
        raise
    await transaction.commit()
    return result


async def _postgres_statement(
    driver: asyncpg.Connection, data: QueryData, statement: Statement
) -> dict[str, Any]:
    try:
        prepared = await driver.prepare(statement.sql)
    except asyncpg.exceptions.PostgresSyntaxError as exc:
        if "multiple commands" in str(exc) and not statement.arguments and not data.return_results:
            raise _SeveralStatements from None
        raise
    types = prepared.get_parameters()
    arguments = []
    for index, (value, kind) in enumerate(zip(statement.arguments, types, strict=True)):
        try:
            arguments.append(pg_argument(value, kind.name, kind.kind))
        except ArgumentError as exc:
            name = statement.names[index]
            where = f"data.variables.{name}" if name else f"data.variables[{index}]"
            raise SqlBindingError(f"{where}: {exc} (parameter ${index + 1})") from None
    columns = prepared.get_attributes()
    if data.return_results and not columns:
        raise NoResultsError(f"{NO_RESULTS} [statement: {data.query}]")
    try:
        records = await prepared.fetch(*arguments)
    except asyncpg.exceptions.DataError as exc:
        raise SqlBindingError(f"Cannot bind the query's parameters: {exc}") from None
    if not data.return_results:
        return {"modifiedRows": -1 if columns else _status_count(prepared.get_statusmsg())}
    json_columns = [c.type.name in ("json", "jsonb") for c in columns]
    names = [c.name for c in columns]
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for i, name in enumerate(names):
            value = record[i]
            row[name] = parse_json_column(value) if json_columns[i] else to_json(value)
        rows.append(row)
    return {"resultSet": rows}


def _status_count(status: str | None) -> int:
    """``INSERT 0 3`` -> 3, ``UPDATE 2`` -> 2, ``CREATE TABLE`` -> 0."""
    match = _COUNT.search(status or "")
    return int(match.group(1)) if match else 0


# -- MySQL and MariaDB (aiomysql) ----------------------------------------------------------


async def _run_mysql(driver: Any, data: QueryData) -> dict[str, Any]:
    statement = prepare(data.query, data.variables, lambda i: "%s")
    if statement.arguments:
        # The driver formats "%s" markers only when there are arguments; then a literal "%"
        # in the SQL text must be doubled.
        statement = prepare(data.query, data.variables, lambda i: "%s", escape_percent)
    arguments = [mysql_argument(v) for v in statement.arguments]
    cursor = await driver.cursor()
    try:
        try:
            await cursor.execute(statement.sql, arguments or None)
            description = cursor.description
            if data.return_results and description is None:
                raise NoResultsError(f"{NO_RESULTS} [statement: {data.query}]")
            records = await cursor.fetchall() if description is not None else ()
            count = cursor.rowcount
            fields = list(getattr(getattr(cursor, "_result", None), "fields", None) or ())
            json_indexes = (
                await mariadb.json_columns(driver, fields)
                if data.return_results and fields and mariadb.is_mariadb(driver)
                else set()
            )
            await driver.commit()
        except asyncio.CancelledError:
            raise  # timed out: the caller discards the connection, the server rolls back
        except BaseException:
            await _rollback(driver)
            raise
    finally:
        if not cursor.closed:
            await _quietly(cursor.close())
    if not data.return_results:
        return {"modifiedRows": -1 if description is not None else max(count, 0)}
    return {"resultSet": [_mysql_row(description, record, json_indexes) for record in records]}


def _mysql_row(description: Any, record: Any, json_indexes: set[int]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for index, (column, value) in enumerate(zip(description, record, strict=True)):
        name, type_code, _, length = column[0], column[1], column[2], column[3]
        if value is None:
            row[name] = None
        elif type_code == _MYSQL_JSON or index in json_indexes:
            row[name] = parse_json_column(value)
        elif type_code == _MYSQL_TINY and length == 1:
            row[name] = bool(value)  # TINYINT(1): the MariaDB driver's Boolean
        elif type_code == _MYSQL_BIT and length == 1 and isinstance(value, bytes):
            row[name] = value != b"\x00"
        else:
            row[name] = to_json(value)
    return row


async def _quietly(step: Any) -> None:
    try:
        await step
    except Exception:
        pass


async def _rollback(driver: Any) -> None:
    try:
        await driver.rollback()
    except Exception:  # the connection is gone; the pool replaces it
        pass


# -- helpers -------------------------------------------------------------------------------


async def _discard(conn: AsyncConnection) -> None:
    try:
        await conn.invalidate()
    except Exception:
        pass


async def _close(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception:
        pass


def _reason(exc: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's wrapping and links."""
    original = getattr(exc, "orig", None) if isinstance(exc, SQLAlchemyError) else None
    cause: BaseException = original if isinstance(original, BaseException) else exc
    inner = cause.__cause__ if type(cause).__name__.startswith("AsyncAdapt") else None
    if isinstance(inner, BaseException):
        cause = inner
    text = str(cause).strip() or type(cause).__name__
    return text
