"""Fixtures of the deployment tests."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.deploy.example_support import StatusService
from tests.support.gateway import TestGateway
from tests.support.openbao import openbao  # noqa: F401  (the session's OpenBao dev server)


@pytest.fixture
def status_service() -> Iterator[StatusService]:
    service = StatusService()
    service.server = ThreadingHTTPServer(("127.0.0.1", 0), service.handler())
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw
