"""The database a job connects to: from the bound credential, the JDBC URI or the detailed
fields, with the JDBC connection properties Switchboard understands.

Facts: camunda/connectors ``connectors/jdbc/.../utils/ConnectionHelper.java`` (a credential
wins over the inline connection; MySQL goes through the MariaDB driver),
``ConnectionStringHelper.java`` (``jdbc:<scheme>://host:port/[databaseName]``) and
``connection/DetailedConnection.java`` (``username``/``password`` become the ``user`` and
``password`` properties, over any in ``properties``). Unknown properties are ignored, as the
JDBC drivers ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from connectors.sdk import ConnectorInputError, FieldError
from connectors.sql.models import ConnectionCredential, DetailedConnection, SqlInput, UriConnection

Dialect = Literal["postgresql", "mysql"]

DIALECTS: dict[str, Dialect] = {"POSTGRESQL": "postgresql", "MYSQL": "mysql", "MARIADB": "mysql"}
SCHEMES: dict[str, str] = {"postgresql": "POSTGRESQL", "mysql": "MYSQL", "mariadb": "MARIADB"}
DEFAULT_PORTS: dict[Dialect, int] = {"postgresql": 5432, "mysql": 3306}
UNSUPPORTED = {
    "MSSQL": "Microsoft SQL Server",
    "ORACLE": "Oracle",
    "sqlserver": "Microsoft SQL Server",
    "oracle": "Oracle",
}
PG_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
MYSQL_SSL_MODES = {"disable", "trust", "verify-ca", "verify-full"}


@dataclass(frozen=True)
class Target:
    """One distinct database login: the key of a connection pool."""

    dialect: Dialect
    host: str
    port: int
    database: str | None
    user: str | None
    password: str | None = field(repr=False)
    ssl_mode: str | None = None
    connect_timeout: float | None = None  # seconds, from the connectTimeout property
    socket_timeout: float | None = None  # seconds, from the socketTimeout property
    application_name: str | None = None
    schema: str | None = None  # PostgreSQL currentSchema

    def display(self) -> str:
        """``postgresql://user@host:port/db``, never the password."""
        user = f"{self.user}@" if self.user else ""
        return f"{self.dialect}://{user}{self.host}:{self.port}/{self.database or ''}"

    def __repr__(self) -> str:
        return f"Target({self.display()})"


def resolve(data: SqlInput) -> Target:
    """The target of a job; ``ConnectorInputError`` for what no retry can fix."""
    credential = data.configuration
    if credential is not None:
        return _from_credential(credential)
    connection = data.connection
    if connection is None:
        raise ConnectorInputError(
            "No JDBC connection provided: fill in the connection fields or select a "
            "connection credential",
            [FieldError("connection", "required")],
        )
    if isinstance(connection, UriConnection):
        return _from_uri(connection, data.database)
    assert isinstance(connection, DetailedConnection)
    dialect = _dialect(data.database, "database")
    props = dict(connection.properties or {})
    if connection.username and connection.username.strip():
        props["user"] = connection.username
    if connection.password and connection.password.strip():
        props["password"] = connection.password
    return _target(
        dialect, connection.host, connection.port, connection.database_name, props, "connection"
    )


def _from_credential(credential: ConnectionCredential) -> Target:
    dialect = _dialect(credential.database, "configuration.database")
    props: dict[str, str | None] = {}
    if credential.username and credential.username.strip():
        props["user"] = credential.username
    if credential.password and credential.password.strip():
        props["password"] = credential.password
    return _target(
        dialect,
        credential.host,
        credential.port,
        credential.database_name,
        props,
        "configuration",
    )


def _dialect(database: str | None, path: str) -> Dialect:
    if database is None:
        raise ConnectorInputError(
            f"Invalid input: {path}: must not be null", [FieldError(path, "must not be null")]
        )
    if database in UNSUPPORTED:
        raise ConnectorInputError(
            _unsupported(UNSUPPORTED[database]), [FieldError(path, "not supported")]
        )
    return DIALECTS[database]


def _unsupported(name: str) -> str:
    return (
        f"{name} is not supported by Switchboard's SQL connector: no async driver for it is "
        "installed (supported: PostgreSQL, MySQL, MariaDB)"
    )


def _from_uri(connection: UriConnection, database: str | None) -> Target:
    uri = connection.uri.strip()
    path = "connection.uri"
    if not uri.startswith("jdbc:"):
        raise ConnectorInputError(
            f"Invalid input: {path}: must start with 'jdbc:'",
            [FieldError(path, "must start with 'jdbc:'")],
        )
    rest = uri[len("jdbc:") :]
    scheme = rest.split(":", 1)[0].lower()
    if scheme in UNSUPPORTED:
        raise ConnectorInputError(
            _unsupported(UNSUPPORTED[scheme]), [FieldError(path, "not supported")]
        )
    if scheme not in SCHEMES:
        raise ConnectorInputError(
            f"Invalid input: {path}: unsupported JDBC URL scheme 'jdbc:{scheme}:' (use "
            "jdbc:postgresql://, jdbc:mysql:// or jdbc:mariadb://)",
            [FieldError(path, "unsupported JDBC URL scheme")],
        )
    if database in UNSUPPORTED:
        raise ConnectorInputError(
            _unsupported(UNSUPPORTED[database]), [FieldError("database", "not supported")]
        )
    dialect = DIALECTS[SCHEMES[scheme]]
    parts = urlsplit(rest)
    netloc = parts.netloc
    if not rest[len(scheme) + 1 :].startswith("//") or not netloc:
        raise ConnectorInputError(
            f"Invalid input: {path}: expected jdbc:{scheme}://host[:port]/[database]",
            [FieldError(path, "no host")],
        )
    props: dict[str, str | None] = dict(connection.uri_properties or {})
    userinfo, _, hostport = netloc.rpartition("@")
    if userinfo:
        user, _, password = userinfo.partition(":")
        props["user"] = unquote(user)
        if password:
            props["password"] = unquote(password)
    if "," in hostport:
        raise ConnectorInputError(
            f"Invalid input: {path}: several hosts are not supported",
            [FieldError(path, "several hosts")],
        )
    if hostport.startswith("["):
        host, _, port_text = hostport[1:].partition("]")
        port_text = port_text.lstrip(":")
    else:
        host, _, port_text = hostport.partition(":")
    # Properties in the URL win over the separate ones, as both drivers do.
    for key, value in parse_qsl(parts.query.replace(";", "&"), keep_blank_values=True):
        props[key] = value
    database_name = unquote(parts.path.lstrip("/")) or None
    return _target(dialect, host, port_text or None, database_name, props, path)


def _target(
    dialect: Dialect,
    host: str,
    port: str | None,
    database: str | None,
    props: dict[str, str | None],
    path: str,
) -> Target:
    host = host.strip()
    if not host:
        raise ConnectorInputError(f"Invalid input: {path}: no host", [FieldError(path, "no host")])
    port_number = DEFAULT_PORTS[dialect]
    if port is not None and port.strip():
        try:
            port_number = int(port.strip())
        except ValueError:
            port_number = -1
        if not 0 < port_number < 65536:
            where = f"{path}.port" if path != "connection.uri" else path
            raise ConnectorInputError(
                f"Invalid input: {where}: port {port!r} is not a number from 1 to 65535",
                [FieldError(where, "not a port number")],
            )
    return Target(
        dialect=dialect,
        host=host,
        port=port_number,
        database=database.strip() or None if database else None,
        user=props.get("user") or None,
        password=props.get("password") or None,
        ssl_mode=_ssl_mode(dialect, props, path),
        connect_timeout=_seconds(props, "connectTimeout", dialect, path),
        socket_timeout=_seconds(props, "socketTimeout", dialect, path),
        application_name=props.get("ApplicationName") if dialect == "postgresql" else None,
        schema=props.get("currentSchema") if dialect == "postgresql" else None,
    )


def _ssl_mode(dialect: Dialect, props: dict[str, str | None], path: str) -> str | None:
    if dialect == "postgresql":
        mode = props.get("sslmode")
        if mode is None and (props.get("ssl") or "").lower() == "true":
            mode = "verify-full"  # pgjdbc: ssl=true without sslmode verifies the server
        allowed = PG_SSL_MODES
    else:
        mode = props.get("sslMode")
        if mode is None and (props.get("useSsl") or props.get("useSSL") or "").lower() == "true":
            mode = "verify-full"
        allowed = MYSQL_SSL_MODES
    if mode is None:
        return None
    if mode not in allowed:
        raise ConnectorInputError(
            f"Invalid input: {path}: SSL mode {mode!r} is not one of {', '.join(sorted(allowed))}",
            [FieldError(path, "unknown SSL mode")],
        )
    return mode


def _seconds(props: dict[str, str | None], name: str, dialect: Dialect, path: str) -> float | None:
    raw = props.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConnectorInputError(
            f"Invalid input: {path}: property {name} must be a number, got {raw!r}",
            [FieldError(path, f"{name} is not a number")],
        ) from None
    if value <= 0:
        return None  # 0 means "no timeout" for both drivers
    # pgjdbc counts seconds, the MariaDB driver milliseconds.
    return value if dialect == "postgresql" else value / 1000.0
