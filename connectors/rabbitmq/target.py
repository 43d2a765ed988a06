"""Where to connect: one broker, virtual host and login, from a URI or from the separate
host, port, virtual host and credentials fields.

The URI follows the Java client's ``ConnectionFactory.setUri`` (camunda/connectors
``connectors/rabbitmq/.../supplier/ConnectionFactorySupplier.java`` hands it the URI):
``amqp://`` (port 5672) or ``amqps://`` (5671, TLS); user and password percent-decoded,
``guest``/``guest`` when absent; host ``localhost`` when absent; no path (or ``/`` alone)
means the virtual host ``/``, ``/name`` means ``name`` (``%2F`` for ``/``), more than one
segment is refused;
the query options ``heartbeat`` (seconds) and ``connection_timeout`` (milliseconds) apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from connectors.rabbitmq.errors import InvalidConnectionError

DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}
DEFAULT_USER = "guest"
DEFAULT_HOST = "localhost"
DEFAULT_VIRTUAL_HOST = "/"
_JAVA_INT = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class BrokerTarget:
    """One distinct connection: connections are pooled per target, so two jobs share a
    connection only when every field (the password included) is the same."""

    host: str
    port: int
    virtual_host: str
    username: str
    password: str = field(repr=False)
    tls: bool = False
    heartbeat_seconds: int | None = None
    connect_timeout_seconds: float | None = None

    @property
    def scheme(self) -> str:
        return "amqps" if self.tls else "amqp"

    def display(self) -> str:
        """The target for messages and logs: ``amqp://user@host:port/vhost``, no password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        vhost = quote(self.virtual_host, safe="")
        return f"{self.scheme}://{quote(self.username, safe='')}@{host}:{self.port}/{vhost}"

    def url(self) -> str:
        """The URL aio-pika connects with (holds the password: never log it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        user = quote(self.username, safe="")
        password = quote(self.password, safe="")
        query = f"?heartbeat={self.heartbeat_seconds}" if self.heartbeat_seconds is not None else ""
        vhost = quote(self.virtual_host, safe="")
        return f"{self.scheme}://{user}:{password}@{host}:{self.port}/{vhost}{query}"

    def __repr__(self) -> str:
        return f"BrokerTarget({self.display()})"


def target_from_uri(uri: str) -> BrokerTarget:
    """Parse an ``amqp(s)://`` URI like the Java client; raises :class:`InvalidConnectionError`
    (its message never quotes the user info)."""
    try:
        parts = urlsplit(uri.strip())
        port = parts.port
    except ValueError:
        raise InvalidConnectionError("authentication.uri is not a valid URI") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidConnectionError(
            "authentication.uri: wrong scheme in AMQP URI (use amqp:// or amqps://)"
        )
    username, password = DEFAULT_USER, DEFAULT_USER
    if "@" in parts.netloc:
        user_info = parts.netloc.rsplit("@", 1)[0]
        pieces = user_info.split(":")
        if len(pieces) > 2:
            raise InvalidConnectionError("authentication.uri: bad user info in AMQP URI")
        username = unquote(pieces[0])
        if len(pieces) == 2:
            password = unquote(pieces[1])
    virtual_host = DEFAULT_VIRTUAL_HOST
    path = parts.path
    if path:
        if "/" in path[1:]:
            raise InvalidConnectionError(
                "authentication.uri: multiple segments in the path of the AMQP URI"
            )
        # The Java client reads "amqp://host/" as the virtual host "" (which RabbitMQ does
        # not have by default, so the job fails there); aiormq cannot open "" and opens "/".
        virtual_host = unquote(path[1:]) or DEFAULT_VIRTUAL_HOST
    heartbeat: int | None = None
    timeout: float | None = None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "heartbeat":
            heartbeat = _query_int(name, value)
        elif name == "connection_timeout":
            timeout = _query_int(name, value) / 1000 or None
    return BrokerTarget(
        host=parts.hostname or DEFAULT_HOST,
        port=port if port is not None else DEFAULT_PORTS[scheme],
        virtual_host=virtual_host,
        username=username,
        password=password,
        tls=scheme == "amqps",
        heartbeat_seconds=heartbeat,
        connect_timeout_seconds=timeout,
    )


def target_from_fields(
    host: str, port: str, virtual_host: str, username: str, password: str
) -> BrokerTarget:
    """The credentials form: plain AMQP (no TLS), port parsed like Java's
    ``Integer.parseInt``."""
    text = port
    if not _JAVA_INT.fullmatch(text):
        raise InvalidConnectionError("routing.port must be a whole number")
    number = int(text)
    if not 0 < number < 65536:
        raise InvalidConnectionError("routing.port must be between 1 and 65535")
    return BrokerTarget(
        host=host,
        port=number,
        virtual_host=virtual_host,
        username=username,
        password=password,
    )


def _query_int(name: str, value: str) -> int:
    if not _JAVA_INT.fullmatch(value) or int(value) < 0:
        raise InvalidConnectionError(
            f"authentication.uri: query option {name} must be a whole number"
        )
    return int(value)
