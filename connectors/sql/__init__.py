"""The SQL database connector: drop-in for Camunda's ``io.camunda:connector-jdbc:1``
(element template ``io.camunda.connectors.Jdbc.v1``): run one SQL statement on PostgreSQL,
MySQL or MariaDB and return its rows or its update count.

Behaviour follows camunda/connectors ``connectors/jdbc/src/main/java/io/camunda/connector/
jdbc/outbound/JdbcFunction.java`` and ``model/client/JdbiJdbcClient.java``. Differences, each
for a reason, are listed in docs/connectors/sql.md (pooled connections, timeouts, Microsoft
SQL Server and Oracle refused, no change left behind by a failed ``returnResults`` job).
"""

from __future__ import annotations

from typing import Any

from connectors.sdk import Example, Group, outbound_connector
from connectors.sql.config import check_environment
from connectors.sql.execute import run
from connectors.sql.models import SqlInput
from connectors.sql.pool import aclose, pool
from connectors.sql.target import resolve

TYPE = "io.camunda:connector-jdbc:1"
TEMPLATE_ID = "io.camunda.connectors.Jdbc.v1"
INPUT_VARIABLES = ("database", "connection", "data", "configuration")


@outbound_connector(
    name="SQL Database Connector",
    type=TYPE,
    version=6,
    input_variables=INPUT_VARIABLES,
    description="Read and write data from a Camunda process directly to a SQL database "
    "(e.g., Microsoft SQL Server, MySQL, PostgreSQL)",
    documentation_url="https://docs.camunda.io/docs/8.9/components/connectors/"
    "out-of-the-box-connectors/sql/",
    template_id=TEMPLATE_ID,
    icon="icon.svg",
    groups=(Group("connection", "Connection"), Group("query", "Query")),
    examples=(
        Example(
            "Select rows from PostgreSQL",
            {
                "database": "POSTGRESQL",
                "connection": {"authType": "uri", "uri": "{{secrets.PG_JDBC_URI}}"},
                "data": {
                    "returnResults": True,
                    "query": "SELECT id, name FROM employee WHERE department = :dept",
                    "variables": {"dept": "IT"},
                },
            },
            {"resultVariable": "employees"},
            "The URI comes from a secret: jdbc:postgresql://host:5432/db?user=...&password=...",
        ),
        Example(
            "Insert into MariaDB with positional parameters",
            {
                "database": "MARIADB",
                "connection": {
                    "authType": "detailed",
                    "host": "127.0.0.1",
                    "port": "3306",
                    "username": "app",
                    "password": "{{secrets.DB_PASSWORD}}",
                    "databaseName": "test",
                },
                "data": {
                    "query": "INSERT INTO employee (id, name) VALUES (?, ?)",
                    "variables": [7, "Eve"],
                },
            },
            {"resultExpression": "={inserted: modifiedRows}"},
        ),
    ),
)
async def sql(data: SqlInput) -> dict[str, Any]:
    target = resolve(data)
    return await run(pool(), target, data.data)


sql = sql.with_overrides(
    # Same template version and retry backoff default as Camunda's newest official template,
    # so a BPMN modelled with it resolves to ours.
    extra={
        "startup_check": check_environment,
        "shutdown": aclose,
        "template_retry_backoff": "PT30S",
    },
)

__all__ = ["INPUT_VARIABLES", "TEMPLATE_ID", "TYPE", "SqlInput", "aclose", "sql"]
