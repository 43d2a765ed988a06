"""Options of the SQL connector's engines (connection pools) and timeouts.

The connector reads these variables itself (``connectors/sql/config.py``, which must not
import ``app``); this mirror puts them in the configuration reference and validates them at
startup (tests/sql/test_config.py checks both lists agree). Camunda has no such options: it
opens one JDBC connection per job and sets no statement timeout.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class SqlSettings(BaseModel):
    sql_max_targets: int = Field(
        16,
        gt=0,
        validation_alias="SWITCHBOARD_SQL_MAX_TARGETS",
        description="Most distinct databases (host, port, database and login) the SQL "
        "connector keeps a connection pool for; the least recently used pool is closed for a "
        "new one.",
    )
    sql_pool_size: int = Field(
        5,
        gt=0,
        validation_alias="SWITCHBOARD_SQL_POOL_SIZE",
        description="Most open connections per database in the SQL connector's pool; more "
        "concurrent jobs for the same database wait for a free one.",
    )
    sql_connect_timeout_seconds: float = Field(
        20.0,
        gt=0,
        validation_alias="SWITCHBOARD_SQL_CONNECT_TIMEOUT_SECONDS",
        description="Seconds to open a database connection or wait for a pooled one (a "
        "connectTimeout connection property wins).",
    )
    sql_query_timeout_seconds: float = Field(
        120.0,
        gt=0,
        validation_alias="SWITCHBOARD_SQL_QUERY_TIMEOUT_SECONDS",
        description="Seconds a SQL statement may run before the job fails and the connection "
        "is discarded (a socketTimeout connection property wins).",
    )
