"""connectors._http.download: a GET through the shared transport (used by the e-mail
connector for external attachments), within the host rules and the size cap."""

from __future__ import annotations

import pytest

from connectors._http.download import download
from connectors._http.errors import ResponseTooLarge
from connectors.sdk import ConnectorInputError
from tests.connectors.servers import LoopbackServer, Reply


async def test_download_returns_status_headers_and_content(server: LoopbackServer) -> None:
    server.routes["/doc.txt"] = lambda seen: Reply(
        body=b"hello", headers=[("Content-Disposition", 'attachment; filename="a.txt"')]
    )
    got = await download(server.url("/doc.txt"))
    assert (got.status_code, got.content) == (200, b"hello")
    assert got.headers.get("content-disposition") == 'attachment; filename="a.txt"'


async def test_download_keeps_the_cap_and_the_host_rules(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE", "10")
    server.routes["/big"] = lambda seen: Reply(body=b"x" * 100)
    with pytest.raises(ResponseTooLarge):
        await download(server.url("/big"))
    from connectors._http import aclose

    await aclose()
    monkeypatch.setenv("SWITCHBOARD_HTTP_DENIED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(ConnectorInputError):
        await download(server.url("/big"))
