"""Inputs of the SQL connector; aliases are the binding names of Camunda's official template
``io.camunda.connectors.Jdbc.v1`` (npm ``@camunda/connectors-element-templates``, version 6).

Facts: camunda/connectors ``connectors/jdbc/src/main/java/io/camunda/connector/jdbc/model/
request/JdbcRequest.java``, ``JdbcRequestData.java``, ``SupportedDatabase.java`` and
``connection/UriConnection.java``, ``DetailedConnection.java``,
``JdbcConnectionConfiguration.java``. Text fields take numbers too (Jackson coerces ``=5432`` to
``"5432"``). A bound connection credential (``configuration``) wins over the inline
``connection``, which is then not validated (the modeler writes its default ``authType``
regardless).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from connectors.sdk import Choice, Condition, Configuration, Property
from connectors.sdk.validators import matching, not_blank, scalar_text, upper_text

Database = Literal["MARIADB", "MSSQL", "MYSQL", "POSTGRESQL", "ORACLE"]
DATABASE_CHOICES = (
    Choice("MARIADB", "MariaDB"),
    Choice("MSSQL", "Microsoft SQL Server"),
    Choice("MYSQL", "MySQL"),
    Choice("POSTGRESQL", "PostgreSQL"),
    Choice("ORACLE", "Oracle"),
)
DOCS = "https://docs.camunda.io/docs/8.9/components/connectors/out-of-the-box-connectors/sql/"
DATABASE_TOOLTIP = (
    "Switchboard runs PostgreSQL, MySQL and MariaDB; Microsoft SQL Server and Oracle are "
    "refused (no async driver is installed). "
    f'<a href="{DOCS}#database">Database</a>.'
)
URI_PATTERN = r"^(=|(jdbc:|secrets|\{\{).*$)"
URI_MESSAGE = "Must start with 'jdbc:' or contain a secret reference"
_URI_MATCH = re.compile(r"=|(?:jdbc:|secrets|\{\{)[^\n\r\u0085\u2028\u2029]*")
REQUIRED = {"constraints": {"notEmpty": True}}

JDBC_CONNECTION = Configuration(
    id="io.camunda.connectors:jdbc-connection:1", name="JDBC Connection", version=2
)
WITHOUT_CONFIGURATION = Property(condition=Condition("configuration", is_empty=True))


_uri = matching(_URI_MATCH, URI_MESSAGE)


def _string_map(value: Any) -> Any:
    # Map<String, String>: Jackson turns numbers and booleans into their text.
    if isinstance(value, dict):
        return {str(k): (None if v is None else scalar_text(v)) for k, v in value.items()}
    return value


JavaText = Annotated[str, BeforeValidator(scalar_text)]
NotBlank = Annotated[JavaText, AfterValidator(not_blank)]
OptionalText = Annotated[str | None, BeforeValidator(scalar_text)]
StringMap = Annotated[dict[str, str | None] | None, BeforeValidator(_string_map)]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class UriConnection(_Model):
    """``authType: uri``: a JDBC URL (``jdbc:postgresql://host:port/db?user=...``) plus
    optional connection properties (``user``, ``password``...)."""

    model_config = ConfigDict(title="URI", populate_by_name=True, extra="ignore")
    auth_type: Annotated[Literal["uri"], Property(label="URI"), Field(alias="authType")] = "uri"
    uri: Annotated[
        JavaText,
        AfterValidator(_uri),
        Property(
            label="URI",
            feel="optional",
            optional=False,
            secret=True,
            tooltip="URI should contain JDBC driver, host name, and port number. See the "
            f'<a href="{DOCS}#uri-connection" target="_blank">URI connection</a> reference.',
            extra={
                "constraints": {
                    "notEmpty": True,
                    "pattern": {"value": URI_PATTERN, "message": URI_MESSAGE},
                }
            },
        ),
    ]
    uri_properties: Annotated[
        StringMap,
        Property(
            label="Properties",
            feel="required",
            type="String",
            optional=True,
            tooltip="Additional properties for the connection ('user' and 'password' for "
            f'instance). See the <a href="{DOCS}#connection" target="_blank">SQL connection '
            "properties</a> reference.",
        ),
        Field(alias="uriProperties"),
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the URI's login
        yield "uri", "<redacted>"
        yield "uriProperties", "<redacted>"


class DetailedConnection(_Model):
    """``authType: detailed``: host, port, optional login, database name and properties."""

    model_config = ConfigDict(title="Detailed", populate_by_name=True, extra="ignore")
    auth_type: Annotated[
        Literal["detailed"], Property(label="Detailed"), Field(alias="authType")
    ] = "detailed"
    host: Annotated[NotBlank, Property(label="Host", feel="optional", optional=False)]
    port: Annotated[NotBlank, Property(label="Port", feel="optional", optional=False)]
    username: Annotated[
        OptionalText, Property(label="Username", feel="optional", optional=True)
    ] = None
    password: Annotated[
        OptionalText, Property(label="Password", feel="optional", optional=True, secret=True)
    ] = None
    database_name: Annotated[
        OptionalText,
        Property(label="Database name", feel="optional", optional=True),
        Field(alias="databaseName"),
    ] = None
    properties: Annotated[
        StringMap,
        Property(
            label="Properties",
            feel="required",
            type="String",
            optional=True,
            tooltip="Additional properties for the connection. See the "
            f'<a href="{DOCS}#connection" target="_blank">SQL connection properties</a> '
            "reference.",
        ),
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the login
        yield "host", self.host
        yield "port", self.port
        yield "username", "<redacted>"
        yield "password", "<redacted>"
        yield "databaseName", self.database_name
        yield "properties", "<redacted>"


class ConnectionCredential(_Model):
    """A reusable JDBC connection credential (Camunda 8.10 ``Configuration``): database,
    host, port, database name and login."""

    database: Annotated[
        Database | None,
        BeforeValidator(upper_text),
        Property(
            label="Select a database",
            group="connection",
            tooltip=DATABASE_TOOLTIP,
            choices=DATABASE_CHOICES,
            optional=False,
            extra=REQUIRED,
        ),
    ] = None
    host: Annotated[
        NotBlank, Property(label="Host", group="connection", optional=False, extra=REQUIRED)
    ]
    port: Annotated[
        NotBlank, Property(label="Port", group="connection", optional=False, extra=REQUIRED)
    ]
    database_name: Annotated[
        OptionalText,
        Property(label="Database name", group="connection"),
        Field(alias="databaseName"),
    ] = None
    username: Annotated[
        OptionalText, Property(label="Username", group="authentication", secret=True)
    ] = None
    password: Annotated[
        OptionalText, Property(label="Password", group="authentication", secret=True)
    ] = None

    def __repr_args__(self) -> Any:  # repr() and str() never show the login
        yield "database", self.database
        yield "host", self.host
        yield "port", self.port
        yield "databaseName", self.database_name
        yield "username", "<redacted>"
        yield "password", "<redacted>"


Connection = Annotated[
    UriConnection | DetailedConnection | None,
    Field(discriminator="auth_type"),
    WITHOUT_CONFIGURATION,
    Property(
        label="Connection type",
        group="connection",
        value="uri",
        choices=(Choice("uri", "URI"), Choice("detailed", "Detailed")),
    ),
]


class QueryData(_Model):
    """The statement: ``query`` with ``:name`` / ``?`` / ``<list>`` parameters, their
    ``variables`` (a context for named, a list for positional), and ``returnResults``."""

    return_results: Annotated[
        bool,
        Property(
            label="Return results",
            feel="static",
            tooltip="Check this box if the SQL statement returns results, e.g. a SELECT or any "
            "statement with a RETURNING clause",
        ),
        Field(alias="returnResults"),
    ] = False
    query: Annotated[
        NotBlank,
        Property(
            label="SQL Query to execute",
            feel="optional",
            optional=False,
            tooltip="You can use named, positional or binding "
            f'<a href="{DOCS}#variables" target="_blank">parameters</a>',
        ),
    ]
    variables: Annotated[
        Any,
        Property(
            label="SQL Query variables",
            feel="required",
            type="String",
            optional=True,
            tooltip=f'The <a href="{DOCS}#variables" target="_blank">variables</a> to use in '
            "the SQL query.",
        ),
    ] = None


class SqlInput(_Model):
    """Everything a job of ``io.camunda:connector-jdbc:1`` carries (variables ``database``,
    ``connection``, ``data`` and ``configuration``)."""

    configuration: Annotated[
        ConnectionCredential | None,
        BeforeValidator(lambda v: None if v in ("", {}) else v),
        Property(
            label="Connection credential",
            group="connection",
            optional=True,
            description="Choose a reusable JDBC connection credential, or configure one-time "
            "connection parameters below.",
            configuration=JDBC_CONNECTION,
        ),
    ] = None
    database: Annotated[
        Database | None,
        BeforeValidator(upper_text),
        WITHOUT_CONFIGURATION,
        Property(
            label="Select a database",
            group="connection",
            value="POSTGRESQL",
            tooltip=DATABASE_TOOLTIP,
            choices=DATABASE_CHOICES,
            optional=False,
            extra=REQUIRED,
        ),
    ] = None
    connection: Connection = None
    data: Annotated[QueryData, Property(group="query")]

    @model_validator(mode="before")
    @classmethod
    def _credential_wins(cls, value: Any) -> Any:
        # Camunda validates the inline connection only when no credential is bound
        # (JdbcRequest.getInlineConnectionWhenNoCredentialBound): the modeler writes the
        # connection's default authType even when a credential is chosen.
        if isinstance(value, dict) and value.get("configuration") not in (None, "", {}):
            value = {k: v for k, v in value.items() if k != "connection"}
        return value
