"""The shared connection pool: bounded by SWITCHBOARD_HTTP_MAX_CONNECTIONS, connections
reused between jobs, everything closed by the connectors' shutdown hook."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

from connectors._http.clients import state
from connectors.graphql import graphql
from connectors.http_json import http_json
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer, Reply, Seen
from tests.support.waiting import eventually

DEADLINE_SECONDS = 10.0


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


class Gate:
    """Holds requests at the server until released; counts how many are held at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most = 0

    def route(self, seen: Seen) -> Reply:
        with self._lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        self.release.wait(DEADLINE_SECONDS)
        with self._lock:
            self.in_flight -= 1
        return Reply(body={"ok": True}, headers=[("Content-Type", "application/json")])


async def test_the_pool_never_opens_more_connections_than_its_bound(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_HTTP_MAX_CONNECTIONS", "2")
    path, gate = unique("bounded"), Gate()
    server.routes[path] = gate.route
    jobs = [
        asyncio.create_task(arun_connector(http_json, {"method": "GET", "url": server.url(path)}))
        for _ in range(6)
    ]
    try:
        await eventually(
            lambda: gate.in_flight == 2, within=DEADLINE_SECONDS, what="two requests held"
        )
        # Four jobs wait for a pooled connection instead of opening a third one.
        assert state().client.open_connections == 2  # type: ignore[attr-defined]
    finally:
        gate.release.set()
    results = await asyncio.gather(*jobs)
    assert [r["status"] for r in results] == [200] * 6
    assert gate.most == 2
    # Six requests over two keep-alive connections.
    assert len({seen.peer for seen in server.requests_to(path)}) == 2


async def test_both_connectors_share_one_pool_and_reuse_its_connection(
    server: LoopbackServer,
) -> None:
    path = unique("reuse")
    await arun_connector(http_json, {"method": "GET", "url": server.url(path)})
    await arun_connector(http_json, {"method": "POST", "url": server.url(path), "body": {}})
    await arun_connector(
        graphql, {"graphql": {"method": "post", "url": server.url(path), "query": "{a}"}}
    )
    assert len({seen.peer for seen in server.requests_to(path)}) == 1


async def test_shutdown_closes_the_pool_and_the_next_job_opens_a_new_one(
    server: LoopbackServer,
) -> None:
    path = unique("shutdown")
    await arun_connector(http_json, {"method": "GET", "url": server.url(path)})
    transport = state().client
    assert transport.open_connections == 1  # type: ignore[attr-defined]
    await http_json.extra["shutdown"]()
    assert transport.is_closed
    assert transport.open_connections == 0  # type: ignore[attr-defined]
    result = await arun_connector(http_json, {"method": "GET", "url": server.url(path)})
    assert result["status"] == 200
    assert state().client is not transport
    peers = [seen.peer for seen in server.requests_to(path)]
    assert peers[0] != peers[1]  # the first connection did not survive the shutdown
