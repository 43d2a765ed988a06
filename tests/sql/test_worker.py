"""SQL jobs shaped by Camunda's official template (``io.camunda.connectors.Jdbc.v1``, newest
version, applied by the modeler stand-in with its hidden bindings and defaults), run by
Switchboard's worker over real gRPC against the test gateway and the real PostgreSQL and
MariaDB servers on 127.0.0.1; the tests assert the command the gateway got.

Camunda facts: the response is ``{"resultSet": [...]}`` or ``{"modifiedRows": n}``
(camunda/connectors ``connectors/jdbc/.../model/response/JdbcResponse.java``, null fields
left out); a connection that cannot be opened raises ``ConnectorException("Cannot create the
Database connection: ...")`` (``utils/ConnectionHelper.java``), a failing statement a Jdbi
exception (``model/client/JdbiJdbcClient.java``), both without error code, so the runtime
fails with retries - 1 and the task's backoff; a missing secret is an input error with
retries 0 (``connector-runtime/connector-runtime-spring/.../outbound/job/
OutboundConnectorExceptionHandler.java``). Named (``:name``), positional (``?``) and binding
(``<list>``) parameters as in ``connectors/jdbc/src/test/.../IntegrationBaseTest.java``.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from app.runtime.model import Fail
from connectors.sql import TYPE, sql
from tests.sql.conftest import maria, pg
from tests.support.gateway import COMPLETED, ERROR_THROWN, INCIDENT, GatewayJob, TestGateway
from tests.support.modeler import apply_template
from tests.templates.official import official_template
from tests.zeebe.conftest import adapter as adapter
from tests.zeebe.conftest import gateway as gateway
from tests.zeebe.conftest import start_worker as start_worker

TEMPLATE = "io.camunda.connectors.Jdbc.v1"
CONNECTOR_EXCEPTION = "io.camunda.connector.api.error.ConnectorException"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run_modelled(
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    values: dict[str, Any],
    variables: dict[str, Any] | None = None,
    process_id: str = "sql",
) -> GatewayJob:
    """Apply the official template, deploy, start an instance; the worker's job, once final
    or failed."""
    applied = apply_template(official_template(TEMPLATE), values)
    assert applied.job_type == TYPE
    await adapter._gateway_stub.DeployResource(
        pb.DeployResourceRequest(
            resources=[pb.Resource(name="p.bpmn", content=applied.bpmn(process_id))]
        )
    )
    await adapter.create_process_instance(process_id, -1, variables or {})
    return await gateway.wait_for(
        lambda: next(
            (
                j
                for j in gateway.jobs.values()
                if j.bpmn_process_id == process_id
                and (j.state in (COMPLETED, INCIDENT, ERROR_THROWN) or j.failures)
            ),
            None,
        ),
        timeout=20,
        what="the SQL job to finish",
    )


def pg_uri(database: str) -> str:
    return f"jdbc:postgresql://127.0.0.1:5432/{database}"


async def test_a_select_with_named_parameters_on_postgresql(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, pg_database: str, pg_table: str
) -> None:
    await start_worker(connectors=(sql,), secrets={"PG_URI": pg_uri(pg_database)})
    job = await run_modelled(
        gateway,
        adapter,
        {
            "connection.uri": "{{secrets.PG_URI}}",
            "connection.uriProperties": '={"user": "postgres"}',
            "data.returnResults": True,
            "data.query": f"SELECT * FROM {pg_table} WHERE department = :dept ORDER BY id",
            "data.variables": "={dept: department}",
            "resultVariable": "result",
        },
        {"department": "IT"},
    )
    assert job.state == COMPLETED, job.failures
    assert job.completed_variables == {
        "result": {"resultSet": [{"id": 1, "name": "John Doe", "age": 30, "department": "IT"}]}
    }
    # The template's hidden bindings and defaults reached the job as the modeler writes them.
    assert job.variables["database"] == "POSTGRESQL"
    assert job.variables["connection"]["authType"] == "uri"
    assert job.custom_headers["retryBackoff"] == "PT30S"
    assert job.custom_headers["elementTemplateId"] == TEMPLATE


async def test_an_insert_with_positional_parameters_returns_modified_rows(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, pg_database: str, pg_table: str
) -> None:
    await start_worker(connectors=(sql,))
    job = await run_modelled(
        gateway,
        adapter,
        {
            "connection.authType": "detailed",
            "connection.host": "127.0.0.1",
            "connection.port": "5432",
            "connection.username": "postgres",
            "connection.databaseName": pg_database,
            "data.query": f"INSERT INTO {pg_table} (id, name, age, department) VALUES (?, ?, ?, ?)",
            "data.variables": '=[7, name, 55, "HR"]',
            "resultExpression": "={inserted: modifiedRows}",
        },
        {"name": "Eve"},
    )
    assert job.state == COMPLETED, job.failures
    assert job.completed_variables == {"inserted": 1}
    rows = await pg(pg_database, f"SELECT name, age FROM {pg_table} WHERE id = 7")
    assert [tuple(r) for r in rows] == [("Eve", 55)]


async def test_binding_lists_and_a_select_without_return_results(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, pg_database: str, pg_table: str
) -> None:
    await start_worker(connectors=(sql,))
    values = {
        "connection.uri": pg_uri(pg_database) + "?user=postgres",
        "data.returnResults": True,
        "data.query": f"SELECT name FROM {pg_table} WHERE id IN (<ids>) ORDER BY id",
        "data.variables": "={ids: [1, 3]}",
        "resultVariable": "r",
    }
    job = await run_modelled(gateway, adapter, values)
    assert job.completed_variables == {
        "r": {"resultSet": [{"name": "John Doe"}, {"name": "Alice"}]}
    }
    # returnResults false on a SELECT: the JDBC update count of a query, -1.
    job = await run_modelled(
        gateway, adapter, {**values, "data.returnResults": False}, process_id="sql2"
    )
    assert job.completed_variables == {"r": {"modifiedRows": -1}}


async def test_mariadb_with_a_password_secret_and_a_binding_list(
    start_worker,
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    maria_table: str,
    maria_login: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user, password = maria_login
    harness = await start_worker(connectors=(sql,), secrets={"DB_PASSWORD": password})
    job = await run_modelled(
        gateway,
        adapter,
        {
            "database": "MARIADB",
            "connection.authType": "detailed",
            "connection.host": "127.0.0.1",
            "connection.port": "3306",
            "connection.username": user,
            "connection.password": "{{secrets.DB_PASSWORD}}",
            "connection.databaseName": "test",
            "data.returnResults": True,
            "data.query": f"SELECT id, name FROM {maria_table} WHERE id IN (<ids>) ORDER BY id",
            "data.variables": "={ids: [2, 3]}",
            "resultVariable": "r",
        },
    )
    assert job.state == COMPLETED, job.failures
    assert job.completed_variables == {
        "r": {"resultSet": [{"id": 2, "name": "Jane Doe"}, {"id": 3, "name": "Alice"}]}
    }
    [record] = [r for r in harness.history.records if r.job.key == job.key][:1]
    assert password not in json.dumps([record.input, record.output]) + caplog.text


async def test_mysql_uri_form_updates_on_mariadb(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, maria_table: str
) -> None:
    """``MYSQL`` goes through the MariaDB driver in Camunda (SupportedDatabase.java); the
    MariaDB server answers the MySQL protocol, so the MySQL form is tested against it."""
    await start_worker(connectors=(sql,))
    job = await run_modelled(
        gateway,
        adapter,
        {
            "database": "MYSQL",
            "connection.uri": "jdbc:mysql://127.0.0.1:3306/test",
            "connection.uriProperties": '={"user": "root"}',
            "data.query": f"UPDATE {maria_table} SET name = :name WHERE department = :dept",
            "data.variables": '={name: "Renamed", dept: "HR"}',
            "resultVariable": "r",
        },
    )
    assert job.completed_variables == {"r": {"modifiedRows": 1}}
    assert await maria(f"SELECT name FROM {maria_table} WHERE id = 2") == [("Renamed",)]


# -- failures ------------------------------------------------------------------------------


async def test_a_wrong_password_fails_with_retries_left_and_no_code(
    start_worker,
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    maria_login: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user, _ = maria_login
    harness = await start_worker(connectors=(sql,), secrets={"DB_PASSWORD": "Wr0ng-Pa55"})
    job = await run_modelled(
        gateway,
        adapter,
        {
            "database": "MARIADB",
            "connection.authType": "detailed",
            "connection.host": "127.0.0.1",
            "connection.port": "3306",
            "connection.username": user,
            "connection.password": "{{secrets.DB_PASSWORD}}",
            "data.query": "SELECT 1",
        },
    )
    [failure] = job.failures[:1]
    assert failure.retries == 2  # the template's 3 retries, minus one
    assert failure.backoff_ms == 30_000  # the template's PT30S
    assert "Cannot create the Database connection" in failure.message
    assert "Access denied" in failure.message
    error = failure.variables["error"]
    assert "code" not in error
    assert error["type"] == CONNECTOR_EXCEPTION
    [record] = [r for r in harness.history.records if r.job.key == job.key][:1]
    assert isinstance(record.outcome, Fail)
    shown = json.dumps([record.input, record.output, record.outcome.message, failure.message])
    assert "Wr0ng-Pa55" not in shown and "Wr0ng-Pa55" not in caplog.text


async def test_an_unknown_postgresql_role_fails_with_retries_left(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, pg_database: str
) -> None:
    await start_worker(connectors=(sql,))
    job = await run_modelled(
        gateway,
        adapter,
        {
            "connection.uri": pg_uri(pg_database) + "?user=no_such_role_sb",
            "data.query": "SELECT 1",
        },
    )
    [failure] = job.failures[:1]
    assert failure.retries == 2
    assert "Cannot create the Database connection" in failure.message
    assert "no_such_role_sb" in failure.message
    assert "code" not in failure.variables["error"]


@pytest.mark.parametrize("database", ["POSTGRESQL", "MARIADB"])
async def test_an_unreachable_server_fails_with_retries_left(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, database: str
) -> None:
    await start_worker(connectors=(sql,))
    port = closed_port()
    job = await run_modelled(
        gateway,
        adapter,
        {
            "database": database,
            "connection.authType": "detailed",
            "connection.host": "127.0.0.1",
            "connection.port": str(port),
            "connection.username": "root",
            "data.query": "SELECT 1",
        },
    )
    [failure] = job.failures[:1]
    assert failure.retries == 2
    assert failure.backoff_ms == 30_000
    assert "Cannot create the Database connection" in failure.message
    assert f"127.0.0.1:{port}" in failure.message
    assert "code" not in failure.variables["error"]


async def test_a_bad_query_fails_with_retries_left_and_jdbis_type(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, pg_database: str
) -> None:
    await start_worker(connectors=(sql,))
    job = await run_modelled(
        gateway,
        adapter,
        {
            "connection.uri": pg_uri(pg_database) + "?user=postgres",
            "data.returnResults": True,
            "data.query": "SELECT * FROM no_such_table_sb",
        },
    )
    [failure] = job.failures[:1]
    assert failure.retries == 2
    assert "Error while executing the query [SELECT * FROM no_such_table_sb]" in failure.message
    assert "no_such_table_sb" in failure.message and "does not exist" in failure.message
    error = failure.variables["error"]
    assert "code" not in error
    assert error["type"] == "org.jdbi.v3.core.statement.UnableToExecuteStatementException"


async def test_an_error_expression_can_turn_a_sql_failure_into_a_bpmn_error(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, pg_database: str
) -> None:
    await start_worker(connectors=(sql,))
    job = await run_modelled(
        gateway,
        adapter,
        {
            "connection.uri": pg_uri(pg_database) + "?user=postgres",
            "data.query": "INSERT INTO no_such_table_sb VALUES (1)",
            "errorExpression": '=if error != null then bpmnError("SQL_FAILED", error.message) '
            "else null",
        },
    )
    assert job.state == ERROR_THROWN
    assert job.error_code == "SQL_FAILED"


async def test_a_missing_secret_fails_without_retries(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter
) -> None:
    await start_worker(connectors=(sql,), secrets={})
    job = await run_modelled(
        gateway,
        adapter,
        {"connection.uri": "{{secrets.PG_URI}}", "data.query": "SELECT 1"},
    )
    assert job.state == INCIDENT
    assert job.failures[0].retries == 0
    assert job.failures[0].message.startswith("Secret with name 'PG_URI' is not available")


@pytest.mark.parametrize("database", ["MSSQL", "ORACLE"])
async def test_unsupported_databases_are_refused_as_input_errors(
    start_worker, gateway: TestGateway, adapter: ZeebeAdapter, database: str
) -> None:
    await start_worker(connectors=(sql,))
    job = await run_modelled(
        gateway,
        adapter,
        {
            "database": database,
            "connection.authType": "detailed",
            "connection.host": "127.0.0.1",
            "connection.port": "1433",
            "data.query": "SELECT 1",
        },
    )
    assert job.state == INCIDENT
    assert job.failures[0].retries == 0
    assert "is not supported by Switchboard's SQL connector" in job.failures[0].message


async def test_a_reusable_connection_credential_wins_over_the_inline_fields(
    start_worker,
    gateway: TestGateway,
    adapter: ZeebeAdapter,
    maria_table: str,
    maria_login: tuple[str, str],
) -> None:
    """``configuration`` (Camunda 8.10 credential ``io.camunda.connectors:jdbc-connection:1``)
    is used as a whole; the inline fields' conditions keep them out of the job (a leftover
    inline default is not validated either: tests/sql/test_target.py; camunda/connectors
    ``connectors/jdbc/src/main/java/io/camunda/connector/jdbc/model/request/JdbcRequest.java``,
    ``utils/ConnectionHelper.java``)."""
    user, password = maria_login
    await start_worker(connectors=(sql,), secrets={"DB_PASSWORD": password})
    job = await run_modelled(
        gateway,
        adapter,
        {
            "connectionConfiguration": {
                "database": "MARIADB",
                "host": "127.0.0.1",
                "port": "3306",
                "databaseName": "test",
                "username": user,
                "password": "{{secrets.DB_PASSWORD}}",
            },
            "data.returnResults": True,
            "data.query": f"SELECT count(*) AS n FROM {maria_table}",
            "resultExpression": "={count: resultSet[1].n}",
        },
    )
    assert job.state == COMPLETED, job.failures
    assert job.completed_variables == {"count": 3}
    assert "database" not in job.variables  # its condition: no credential chosen
