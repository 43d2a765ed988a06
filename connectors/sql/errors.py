"""The SQL connector's errors: one tree, no error codes (Camunda's JDBC connector sets none).

Camunda's connector (camunda/connectors ``connectors/jdbc/.../model/client/JdbiJdbcClient.java``
and ``utils/ConnectionHelper.java``) raises ``ConnectorException`` without a code for a
connection that cannot be opened, and lets Jdbi's exceptions through for statements that
cannot be prepared, bound or executed; its runtime turns both into an ordinary failure
(retries - 1, the task's backoff, no ``error.code``). The ``error_type`` of each class below
is the Java class Camunda reports in ``error.type``, so error expressions that test it keep
working. Input the connector cannot use at all (an unsupported database, a malformed URI) is a
``ConnectorInputError`` (retries 0).

::

    SqlError
    ├── SqlConnectionError      no connection (refused, timed out, login refused, no database)
    ├── SqlBindingError         the variables do not fit the statement's parameters
    ├── SqlStatementError       the database refused or failed the statement
    │   └── SqlTimeoutError         the statement ran longer than the configured timeout
    └── NoResultsError          ``returnResults`` is true but the statement returns no rows
"""

from __future__ import annotations

from typing import ClassVar

from connectors.sdk import ConnectorError


class SqlError(ConnectorError):
    """Base of every SQL connector failure (code ``None``: Camunda sets none)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class SqlConnectionError(SqlError):
    """The database connection could not be opened (Camunda: ``Cannot create the Database
    connection: ...``)."""


class SqlBindingError(SqlError):
    """A named parameter without a value, a superfluous value, mixed parameter styles...
    (Jdbi's ``UnableToCreateStatementException``)."""

    error_type: ClassVar[str] = "org.jdbi.v3.core.statement.UnableToCreateStatementException"


class SqlStatementError(SqlError):
    """The database rejected or failed the statement (Jdbi's
    ``UnableToExecuteStatementException``)."""

    error_type: ClassVar[str] = "org.jdbi.v3.core.statement.UnableToExecuteStatementException"


class SqlTimeoutError(SqlStatementError):
    """The statement did not finish within ``SWITCHBOARD_SQL_QUERY_TIMEOUT_SECONDS``."""


class NoResultsError(SqlError):
    """``returnResults`` is true for a statement that returns no rows (Jdbi's
    ``NoResultsException``)."""

    error_type: ClassVar[str] = "org.jdbi.v3.core.result.NoResultsException"


__all__ = [
    "NoResultsError",
    "SqlBindingError",
    "SqlConnectionError",
    "SqlError",
    "SqlStatementError",
    "SqlTimeoutError",
]
