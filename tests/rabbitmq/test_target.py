"""Connection targets from a URI (the Java client's ``ConnectionFactory.setUri`` rules, which
camunda/connectors ``connectors/rabbitmq/.../supplier/ConnectionFactorySupplier.java`` uses)
or from the credentials form (``Integer.parseInt`` on the port)."""

from __future__ import annotations

import pytest

from connectors.rabbitmq.errors import InvalidConnectionError
from connectors.rabbitmq.target import BrokerTarget, target_from_fields, target_from_uri


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("amqp://u:p@broker:5673/vh", ("broker", 5673, "vh", "u", "p", False)),
        ("amqp://broker", ("broker", 5672, "/", "guest", "guest", False)),
        ("amqps://u:p@broker", ("broker", 5671, "/", "u", "p", True)),
        ("amqp://u:p@broker/%2F", ("broker", 5672, "/", "u", "p", False)),
        # Java reads "" here; aiormq cannot open "", so "/" (docs/connectors/rabbitmq.md)
        ("amqp://u:p@broker/", ("broker", 5672, "/", "u", "p", False)),
        (
            "amqp://us%40er:p%3Ass@broker/my%20vhost",
            ("broker", 5672, "my vhost", "us@er", "p:ss", False),
        ),
        ("amqp://only-user@broker", ("broker", 5672, "/", "only-user", "guest", False)),
        ("amqp://u:p@[::1]:5672/v", ("::1", 5672, "v", "u", "p", False)),
        ("AMQP://u:p@Broker", ("broker", 5672, "/", "u", "p", False)),
    ],
)
def test_uri_forms(uri: str, expected: tuple[object, ...]) -> None:
    target = target_from_uri(uri)
    assert (
        target.host,
        target.port,
        target.virtual_host,
        target.username,
        target.password,
        target.tls,
    ) == expected


def test_uri_query_options() -> None:
    target = target_from_uri("amqp://u:p@broker/v?heartbeat=10&connection_timeout=2500&x=1")
    assert target.heartbeat_seconds == 10
    assert target.connect_timeout_seconds == 2.5
    assert "heartbeat=10" in target.url()


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://u:p@broker", "wrong scheme"),
        ("amqp://u:p:x@broker", "bad user info"),
        ("amqp://u:secret@broker/a/b", "multiple segments"),
        ("amqp://u:secret@broker:99999", "not a valid URI"),
        ("amqp://u:p@broker/v?heartbeat=soon", "heartbeat must be a whole number"),
    ],
)
def test_bad_uris_never_quote_the_user_info(uri: str, reason: str) -> None:
    with pytest.raises(InvalidConnectionError, match=reason) as caught:
        target_from_uri(uri)
    assert "secret" not in str(caught.value) and "u:p" not in str(caught.value)


@pytest.mark.parametrize(
    ("port", "reason"),
    [("56 72", "whole number"), ("5672.0", "whole number"), ("0", "between"), ("65536", "between")],
)
def test_credentials_form_port(port: str, reason: str) -> None:
    with pytest.raises(InvalidConnectionError, match=f"routing.port must be .*{reason}"):
        target_from_fields("h", port, "/", "u", "p")
    assert target_from_fields("h", "+5672", "/", "u", "p").port == 5672


def test_the_password_is_never_shown() -> None:
    target = BrokerTarget("h", 5672, "/", "user", "pa55w0rd")
    assert "pa55w0rd" not in repr(target)
    assert "pa55w0rd" not in target.display()
    assert target.display() == "amqp://user@h:5672/%2F"
    assert "pa55w0rd" in target.url()
    # Different passwords are different targets: a connection is never shared across logins.
    assert target != BrokerTarget("h", 5672, "/", "user", "other")
