"""Which database a job reaches: the credential, the JDBC URI or the detailed fields (facts:
camunda/connectors ``connectors/jdbc/src/main/java/io/camunda/connector/jdbc/utils/
ConnectionHelper.java``, ``ConnectionStringHelper.java``, ``model/request/connection/
DetailedConnection.java``), and bad input refused with the field named."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sdk import ConnectorInputError, bind
from connectors.sql import sql
from connectors.sql.models import SqlInput
from connectors.sql.target import Target, resolve


def target(**variables: Any) -> Target:
    variables.setdefault("data", {"query": "SELECT 1"})
    return resolve(bind(SqlInput, variables))


def test_uri_with_properties_in_the_url_and_beside_it() -> None:
    found = target(
        database="POSTGRESQL",
        connection={
            "authType": "uri",
            "uri": "jdbc:postgresql://db.local:6543/orders?user=app&sslmode=require"
            "&connectTimeout=3",
            "uriProperties": {"password": "pw", "user": "ignored"},
        },
    )
    assert found == Target(
        "postgresql",
        "db.local",
        6543,
        "orders",
        "app",
        "pw",
        ssl_mode="require",
        connect_timeout=3.0,
    )
    assert "pw" not in repr(found) and "pw" not in found.display()


def test_mysql_and_mariadb_uris_default_the_port_and_count_milliseconds() -> None:
    found = target(
        database="MYSQL",
        connection={"authType": "uri", "uri": "jdbc:mysql://127.0.0.1/test?connectTimeout=2500"},
    )
    assert (found.dialect, found.port, found.database, found.connect_timeout) == (
        "mysql",
        3306,
        "test",
        2.5,
    )
    assert target(
        database="MARIADB", connection={"authType": "uri", "uri": "jdbc:mariadb://u:p@h:3307/"}
    ) == Target("mysql", "h", 3307, None, "u", "p")


def test_detailed_login_wins_over_properties_and_numbers_become_text() -> None:
    found = target(
        database="MARIADB",
        connection={
            "authType": "detailed",
            "host": "127.0.0.1",
            "port": 3306,
            "username": "root",
            "properties": {"user": "other", "socketTimeout": 1500},
        },
    )
    assert (found.user, found.port, found.socket_timeout) == ("root", 3306, 1.5)


def test_a_credential_wins_and_the_leftover_inline_default_is_not_validated() -> None:
    found = target(
        configuration={
            "database": "POSTGRESQL",
            "host": "127.0.0.1",
            "port": "5432",
            "databaseName": "db",
            "username": "u",
            "password": "p",
        },
        database="MARIADB",
        connection={"authType": "uri"},  # what the modeler writes with a credential chosen
    )
    assert found == Target("postgresql", "127.0.0.1", 5432, "db", "u", "p")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"database": "MSSQL", "connection": {"authType": "detailed", "host": "h", "port": "1"}},
            "Microsoft SQL Server is not supported",
        ),
        (
            {
                "database": "ORACLE",
                "connection": {"authType": "uri", "uri": "jdbc:oracle:thin:@//h:1/x"},
            },
            "Oracle is not supported",
        ),
        (
            {"connection": {"authType": "uri", "uri": "jdbc:sqlserver://h:1"}},
            "Microsoft SQL Server is not supported",
        ),
        (
            {"connection": {"authType": "uri", "uri": "jdbc:h2:mem:x"}},
            "unsupported JDBC URL scheme 'jdbc:h2:'",
        ),
        ({"connection": {"authType": "uri", "uri": "postgresql://h/x"}}, "connection.uri"),
        (
            {
                "database": "POSTGRESQL",
                "connection": {"authType": "detailed", "host": "h", "port": "x"},
            },
            "connection.port: port 'x' is not a number",
        ),
        (
            {
                "database": "POSTGRESQL",
                "connection": {"authType": "detailed", "host": " ", "port": "1"},
            },
            "connection.host",
        ),
        ({"database": "POSTGRESQL"}, "No JDBC connection provided"),
        (
            {
                "database": "POSTGRESQL",
                "connection": {"authType": "uri", "uri": "jdbc:postgresql://h/x?sslmode=maybe"},
            },
            "SSL mode 'maybe'",
        ),
    ],
)
def test_bad_connections_are_input_errors(variables: dict[str, Any], message: str) -> None:
    with pytest.raises(ConnectorInputError) as raised:
        target(**variables)
    assert message in str(raised.value)


def test_the_shipped_examples_bind() -> None:
    assert sql.examples
    for example in sql.examples:
        bind(SqlInput, dict(example.variables))


def test_repr_and_str_never_show_a_login() -> None:
    for variables in (
        {"database": "MYSQL",
         "connection": {"authType": "detailed", "host": "h", "port": 1, "password": "PW-1"}},
        {"connection": {"authType": "uri", "uri": "jdbc:mysql://u:PW-1@h/x?password=PW-1",
                        "uriProperties": {"password": "PW-1"}}},
        {"configuration": {"database": "MYSQL", "host": "h", "port": "1", "password": "PW-1"}},
    ):  # fmt: skip
        bound = bind(SqlInput, {**variables, "data": {"query": "SELECT 1"}})
        for model in (bound, bound.connection or bound.configuration):
            assert "PW-1" not in repr(model) and "PW-1" not in str(model)
        assert "PW-1" not in repr(resolve(bound)) and "PW-1" not in str(resolve(bound))
