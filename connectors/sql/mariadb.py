"""MariaDB's ``JSON`` columns, recognised so they come back parsed, as in Camunda.

MariaDB's ``JSON`` is ``LONGTEXT`` with a ``CHECK (json_valid(`col`))`` constraint. Camunda's
MariaDB JDBC driver learns the type from MariaDB's extended column metadata and reports it as
``JSON`` (camunda/connectors ``connectors/jdbc/src/main/java/io/camunda/connector/jdbc/model/
client/JdbiJsonHelper.java`` then parses it); PyMySQL cannot ask for that metadata, so the
constraints are read from ``information_schema`` for the tables a result's text columns come
from, once per table and connection (pooled connections are recycled every 30 minutes, which
bounds how long a changed table is seen with its old columns).
"""

from __future__ import annotations

import re
import weakref
from typing import Any

_LONG_TEXT = 252  # BLOB / TEXT type code of the MySQL protocol
_BINARY_CHARSET = 63
_JSON_CHECK = re.compile(r"^json_valid\(`((?:[^`]|``)+)`\)$", re.IGNORECASE)

_known: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def is_mariadb(driver: Any) -> bool:
    return "mariadb" in str(getattr(driver, "server_version", "") or "").lower()


async def json_columns(driver: Any, fields: list[Any]) -> set[int]:
    """Indexes of the result's columns that are MariaDB ``JSON`` columns."""
    candidates = [
        (i, f)
        for i, f in enumerate(fields)
        if f.type_code == _LONG_TEXT and f.charsetnr != _BINARY_CHARSET and f.org_table
    ]
    if not candidates:
        return set()
    cache = _known.setdefault(driver, {})
    tables = {(_text(f.db), f.org_table) for _, f in candidates}
    missing = [t for t in tables if t not in cache]
    if missing:
        cache.update(await _lookup(driver, missing))
    return {
        i for i, f in candidates if f.org_name in cache.get((_text(f.db), f.org_table), frozenset())
    }


async def _lookup(
    driver: Any, tables: list[tuple[str, str]]
) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], set[str]] = {t: set() for t in tables}
    where = " OR ".join("(CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s)" for _ in tables)
    arguments = [part for table in tables for part in table]
    cursor = await driver.cursor()
    try:
        await cursor.execute(
            "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE "
            f"FROM information_schema.CHECK_CONSTRAINTS WHERE {where}",
            arguments,
        )
        for schema, table, clause in await cursor.fetchall():
            match = _JSON_CHECK.match(str(clause).strip())
            if match and (schema, table) in found:
                found[(schema, table)].add(match.group(1).replace("``", "`"))
    finally:
        await cursor.close()
    return {t: frozenset(columns) for t, columns in found.items()}


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
