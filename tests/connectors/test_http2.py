"""HTTP/2 (opt-in): the client negotiates h2 with ALPN against a real h2 server on loopback."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator

import h2.config
import h2.connection
import h2.events
import pytest
import trustme

from connectors.http_json import http_json
from connectors.sdk.testing import arun_connector


class H2Server:
    """Answers every request with JSON describing it; speaks only HTTP/2 (ALPN ``h2``)."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0, ssl=self.context)
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        requests: dict[int, dict[str, str]] = {}
        bodies: dict[int, bytes] = {}
        try:
            while data := await reader.read(65536):
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        requests[event.stream_id] = dict(event.headers)
                        bodies[event.stream_id] = b""
                    elif isinstance(event, h2.events.DataReceived):
                        bodies[event.stream_id] += event.data
                        conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded):
                        headers = requests[event.stream_id]
                        payload = json.dumps(
                            {
                                "protocol": "h2",
                                "method": headers[":method"],
                                "path": headers[":path"],
                                "body": bodies[event.stream_id].decode(),
                            }
                        ).encode()
                        conn.send_headers(
                            event.stream_id,
                            [
                                (":status", "200"),
                                ("content-type", "application/json"),
                                ("content-length", str(len(payload))),
                                ("set-cookie", "a=1"),
                                ("set-cookie", "b=2"),
                            ],
                        )
                        conn.send_data(event.stream_id, payload, end_stream=True)
                writer.write(conn.data_to_send())
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def h2_server(ca: trustme.CA) -> AsyncIterator[tuple[H2Server, int]]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    context.set_alpn_protocols(["h2"])
    server = H2Server(context)
    port = await server.start()
    yield server, port
    await server.stop()


async def test_http2_with_pooling(
    h2_server: tuple[H2Server, int], ca_pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_HTTP_HTTP2", "true")  # HTTP/2 is opt-in
    server, port = h2_server
    variables = {
        "method": "POST",
        "url": f"https://127.0.0.1:{port}/h2?x=1",
        "body": {"a": 1},
        "clientTls": {"trustedCertificate": ca_pem},
    }
    first = await arun_connector(http_json, variables)
    second = await arun_connector(http_json, variables)
    assert first["body"] == {
        "protocol": "h2",
        "method": "POST",
        "path": "/h2?x=1",
        "body": '{"a":1}',
    }
    assert first["status"] == 200
    assert first["reason"] == "OK"
    assert first["headers"]["set-cookie"] == ["a=1", "b=2"]
    assert second["body"] == first["body"]
    assert server.connections == 1  # the second job reused the pooled connection
