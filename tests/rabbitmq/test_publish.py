"""The RabbitMQ connector against the real broker on 127.0.0.1:5672: what a consumer receives,
the failures, and the pooled connections.

Camunda facts (camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/
rabbitmq/``): ``outbound/RabbitMqFunction.java`` publishes with ``basicPublish(exchange,
routingKey, properties, body)`` (so ``mandatory`` is false) and returns
``RabbitMqResult.success()`` = ``{"statusResult": "success"}`` (``outbound/RabbitMqResult.java``);
``outbound/model/RabbitMqRequest.java`` requires host, port and virtual host with credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme

from connectors.rabbitmq import SUCCESS, rabbitmq
from connectors.rabbitmq.config import RabbitMqConfig
from connectors.rabbitmq.errors import (
    AuthenticationFailedError,
    BrokerUnreachableError,
    ExchangeNotFoundError,
    PublishRefusedError,
    RabbitMqError,
    UnsupportedPropertyError,
    VirtualHostRefusedError,
)
from connectors.rabbitmq.message import amqp_properties
from connectors.rabbitmq.pool import BrokerPool, pool
from connectors.rabbitmq.target import target_from_uri
from connectors.sdk import ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.rabbitmq.conftest import Scratch
from tests.support.rabbitmq import SHARED_HOST, SHARED_PORT, SHARED_URI, free_port


async def publish(variables: dict, secrets: dict[str, str] | None = None) -> object:
    return await arun_connector(rabbitmq, variables, secrets=secrets)


# -- what the consumer receives -------------------------------------------------------------


async def test_body_and_properties_arrive_as_camunda_sends_them(scratch: Scratch) -> None:
    result = await publish(
        scratch.variables(
            body={"order": 7, "total": 12.5, "note": "“quoted”"},
            properties={
                "contentType": "application/json",
                "contentEncoding": "UTF-8",
                "headers": {"tenant": "acme", "attempt": 2, "ratio": 0.1, "tags": ["a", "b"]},
                "deliveryMode": 2,
                "priority": 5,
                "correlationId": "corr-1",
                "replyTo": "replies",
                "expiration": "60000",
                "messageId": "msg-1",
                "timestamp": 1714558830000,
                "type": "order.created",
                "userId": "guest",
                "appId": "switchboard-tests",
            },
        )
    )
    assert result == SUCCESS
    message = await scratch.next_message()
    assert message.body == '{"order":7,"total":12.5,"note":"“quoted”"}'.encode()
    assert message.delivery.exchange == scratch.exchange
    assert message.delivery.routing_key == scratch.routing_key
    props = message.header.properties
    assert props.content_type == "application/json"
    assert props.content_encoding == "UTF-8"
    assert props.headers == {"tenant": "acme", "attempt": 2, "ratio": 0.1, "tags": ["a", "b"]}
    assert props.delivery_mode == 2
    assert props.priority == 5
    assert props.correlation_id == "corr-1"
    assert props.reply_to == "replies"
    assert props.expiration == "60000"
    assert props.message_id == "msg-1"
    assert props.timestamp == dt.datetime(2024, 5, 1, 10, 20, 30, tzinfo=dt.UTC)
    assert props.message_type == "order.created"
    assert props.user_id == "guest"
    assert props.app_id == "switchboard-tests"


async def test_plain_text_with_no_properties_sets_none(scratch: Scratch) -> None:
    """Java publishes ``null`` properties for ``{}``: no delivery mode, priority or message id
    (aio-pika's own defaults would add all three)."""
    assert await publish(scratch.variables(body="plain text, not JSON")) == SUCCESS
    message = await scratch.next_message()
    assert message.body == b"plain text, not JSON"
    props = message.header.properties
    assert props.delivery_mode is None
    assert props.priority is None
    assert props.message_id is None
    assert props.headers is None
    assert props.content_type is None


async def test_a_json_text_body_is_rewritten_compactly(scratch: Scratch) -> None:
    await publish(scratch.variables(body='{\n  "key": "value",\n  "n": 1.0\n}'))
    assert (await scratch.next_message()).body == b'{"key":"value","n":1.0}'


async def test_the_credentials_form(scratch: Scratch) -> None:
    variables = {
        "authentication": {"authType": "credentials", "userName": "guest", "password": "guest"},
        "routing": {
            "exchange": scratch.exchange,
            "routingKey": scratch.routing_key,
            "virtualHost": "/",
            "hostName": "127.0.0.1",
            "port": "5672",
        },
        "message": {"body": "via credentials", "properties": {}},
    }
    assert await publish(variables) == SUCCESS
    assert (await scratch.next_message()).body == b"via credentials"


async def test_an_unroutable_message_succeeds_like_camunda(scratch: Scratch) -> None:
    """mandatory=false: RabbitMQ drops a message no queue is bound for, and says so to no one."""
    variables = scratch.variables(body="lost")
    variables["routing"]["routingKey"] = "nobody.listens"
    assert await publish(variables) == SUCCESS
    assert await scratch.count() == 0


# -- failures ---------------------------------------------------------------------------------


async def test_credentials_without_host_port_or_vhost_is_an_input_error(scratch: Scratch) -> None:
    variables = {
        "authentication": {"authType": "credentials", "userName": "guest", "password": "guest"},
        "routing": {"exchange": scratch.exchange, "routingKey": "k", "hostName": " "},
        "message": {"body": "x"},
    }
    with pytest.raises(ConnectorInputError) as caught:
        await publish(variables)
    assert {e.path for e in caught.value.errors} == {
        "routing.hostName",
        "routing.port",
        "routing.virtualHost",
    }
    assert pool().stats().connections == 0  # refused before connecting


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda v: v["routing"].update(exchange="  "), "routing.exchange"),
        (lambda v: v["routing"].pop("routingKey"), "routing.routingKey"),
        (lambda v: v["message"].update(body=None), "message.body"),
        (lambda v: v["authentication"].update(uri="http://broker"), "authentication.uri"),
        (lambda v: v["authentication"].update(authType="oauth"), "authentication.authType"),
    ],
)
async def test_invalid_input_names_the_field(scratch: Scratch, change: object, path: str) -> None:
    variables = scratch.variables(body="x")
    assert callable(change)
    change(variables)
    with pytest.raises(ConnectorInputError) as caught:
        await publish(variables)
    assert path in [e.path for e in caught.value.errors], caught.value.errors


async def test_unsupported_property_fails_before_connecting(scratch: Scratch) -> None:
    with pytest.raises(UnsupportedPropertyError, match=r"Unsupported field \[colour\]"):
        await publish(scratch.variables(body="x", properties={"colour": "red"}))
    assert pool().stats().connections == 0


async def test_bad_credentials(scratch: Scratch) -> None:
    uri = "amqp://guest:not-the-password@127.0.0.1:5672/"
    with pytest.raises(AuthenticationFailedError) as caught:
        await publish(scratch.variables(uri=uri, body="x"))
    assert caught.value.code is None  # Camunda's runtime sets no code for these
    assert "ACCESS_REFUSED" in caught.value.message
    assert "not-the-password" not in caught.value.message


async def test_unreachable_broker() -> None:
    port = free_port()  # nothing listens there
    variables = {
        "authentication": {"authType": "uri", "uri": f"amqp://guest:guest@127.0.0.1:{port}/"},
        "routing": {"exchange": "x", "routingKey": "k"},
        "message": {"body": "x"},
    }
    with pytest.raises(BrokerUnreachableError, match=f"127.0.0.1:{port}"):
        await publish(variables)


async def test_missing_exchange_then_the_connection_is_still_used(scratch: Scratch) -> None:
    variables = scratch.variables(body="x")
    variables["routing"]["exchange"] = scratch.exchange + "-missing"
    with pytest.raises(ExchangeNotFoundError, match="NOT_FOUND - no exchange"):
        await publish(variables)
    connection = pool()._links[target_from_uri(SHARED_URI)].connection
    assert await publish(scratch.variables(body="after")) == SUCCESS
    assert (await scratch.next_message()).body == b"after"
    # The broker closed only the channel: the pooled connection carried on.
    assert pool()._links[target_from_uri(SHARED_URI)].connection is connection
    assert pool().stats().open_connections == 1


async def test_missing_virtual_host(scratch: Scratch) -> None:
    uri = "amqp://guest:guest@127.0.0.1:5672/no-such-vhost"
    with pytest.raises(VirtualHostRefusedError, match="virtual host 'no-such-vhost'"):
        await publish(scratch.variables(uri=uri, body="x"))


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({"userId": "somebody-else"}, "user_id property set to 'somebody-else'"),
        ({"expiration": "soon"}, "invalid expiration"),
    ],
)
async def test_broker_refusals_fail_the_job(
    scratch: Scratch, properties: dict, reason: str
) -> None:
    """Camunda publishes without confirms and reports success while RabbitMQ drops these;
    with confirms the job fails (docs/connectors/rabbitmq.md, differences)."""
    with pytest.raises(PublishRefusedError, match=reason):
        await publish(scratch.variables(body="x", properties=properties))
    assert await scratch.count() == 0


async def test_connect_timeout_against_a_silent_server() -> None:
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    own = BrokerPool(RabbitMqConfig(connect_timeout_seconds=0.5))
    try:
        with pytest.raises(BrokerUnreachableError, match=r"timed out after 0\.5s"):
            await own.publish(
                target_from_uri(f"amqp://guest:guest@127.0.0.1:{port}/"),
                exchange="x",
                routing_key="k",
                body=b"x",
                properties=amqp_properties({}),
            )
    finally:
        await own.aclose()
        silent.close()
        await silent.wait_closed()


# -- pooling ----------------------------------------------------------------------------------


@pytest.fixture
async def small_pool() -> AsyncIterator[BrokerPool]:
    own = BrokerPool(
        RabbitMqConfig(max_connections=2, channels_per_connection=3, connect_timeout_seconds=2)
    )
    yield own
    await own.aclose()


async def _send(own: BrokerPool, uri: str, scratch: Scratch, text: str) -> None:
    await own.publish(
        target_from_uri(uri),
        exchange=scratch.exchange,
        routing_key=scratch.routing_key,
        body=text.encode(),
        properties=amqp_properties({}),
    )


async def test_concurrent_jobs_share_one_connection_and_a_bounded_set_of_channels(
    small_pool: BrokerPool, scratch: Scratch
) -> None:
    await asyncio.gather(*(_send(small_pool, SHARED_URI, scratch, f"m{i}") for i in range(25)))
    stats = small_pool.stats()
    assert stats.connections == 1
    assert 1 <= stats.idle_channels <= 3
    bodies = {(await scratch.next_message()).body for _ in range(25)}
    assert bodies == {f"m{i}".encode() for i in range(25)}


async def test_the_least_recently_used_connection_makes_room(
    small_pool: BrokerPool, scratch: Scratch
) -> None:
    """Three distinct targets (the heartbeat option makes them distinct), room for two."""
    uris = [f"{SHARED_URI}?heartbeat={n}" for n in (30, 31, 32)]
    await _send(small_pool, uris[0], scratch, "a")
    first = small_pool._links[target_from_uri(uris[0])].connection
    await _send(small_pool, uris[1], scratch, "b")
    await _send(small_pool, uris[2], scratch, "c")
    assert small_pool.stats().connections == 2
    assert target_from_uri(uris[0]) not in small_pool._links
    assert first is not None
    await asyncio.wait_for(first.closed(), 5)


async def test_a_full_pool_makes_a_new_target_wait_then_fail(scratch: Scratch) -> None:
    own = BrokerPool(RabbitMqConfig(max_connections=1, connect_timeout_seconds=0.3))
    try:
        busy = await own._acquire(target_from_uri(SHARED_URI))  # a job in flight
        with pytest.raises(BrokerUnreachableError, match="all 1 pooled connections are busy"):
            await _send(own, SHARED_URI + "?heartbeat=5", scratch, "x")
        await own._release(busy)
        await _send(own, SHARED_URI + "?heartbeat=5", scratch, "now")  # room again
        assert (await scratch.next_message()).body == b"now"
    finally:
        await own.aclose()


async def test_shutdown_closes_every_connection_on_the_broker(scratch: Scratch) -> None:
    name = f"switchboard-test-{uuid.uuid4().hex[:8]}"
    own = BrokerPool(RabbitMqConfig(), name=name)
    await _send(own, SHARED_URI, scratch, "a")
    await _send(own, SHARED_URI + "?heartbeat=20", scratch, "b")
    assert len(await _broker_connections(name)) == 2
    await own.aclose()
    assert own.stats().connections == 0
    assert await _broker_connections(name) == []
    with pytest.raises(RabbitMqError, match="shutting down"):
        await _send(own, SHARED_URI, scratch, "late")


async def test_the_module_pool_is_per_loop_and_closed_by_aclose(scratch: Scratch) -> None:
    from connectors.rabbitmq import aclose

    await publish(scratch.variables(body="x"))
    current = pool()
    assert pool() is current
    connection = current._links[target_from_uri(SHARED_URI)].connection
    assert connection is not None and not connection.is_closed
    await aclose()
    assert connection.is_closed
    assert pool() is not current  # a fresh pool for later jobs


# -- helpers ----------------------------------------------------------------------------------


async def _rabbitmqctl(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(30):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def _broker_connections(name: str) -> list[str]:
    """The broker's ids of the connections named ``name``."""
    listing = await _rabbitmqctl(
        "list_connections", "--no-table-headers", "pid", "client_properties"
    )
    return [
        line.split("\t", 1)[0].strip()
        for line in listing.splitlines()
        if f'{{"connection_name","{name}"}}' in line
    ]


# -- TLS (amqps://) -----------------------------------------------------------------------------


@pytest.fixture
async def tls_broker(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    """A TLS front for the real broker (certificate from a test CA no system trusts), as a
    TLS-terminating load balancer would be; yields its port and the CA file."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(SHARED_HOST, SHARED_PORT)
        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))

    server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=context)
    yield server.sockets[0].getsockname()[1], ca_file
    server.close()
    await server.wait_closed()


async def test_amqps_refuses_a_certificate_no_trusted_ca_signed(
    tls_broker: tuple[int, Path], scratch: Scratch
) -> None:
    port, _ = tls_broker
    with pytest.raises(BrokerUnreachableError, match="CERTIFICATE_VERIFY_FAILED"):
        await publish(scratch.variables(uri=f"amqps://guest:guest@127.0.0.1:{port}/", body="x"))


async def test_amqps_with_a_private_ca_from_ssl_cert_file(
    tls_broker: tuple[int, Path], scratch: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, ca_file = tls_broker
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    uri = f"amqps://guest:guest@127.0.0.1:{port}/"
    assert await publish(scratch.variables(uri=uri, body="over TLS")) == SUCCESS
    assert (await scratch.next_message()).body == b"over TLS"
