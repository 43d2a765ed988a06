"""Fixtures: a ConnectorRuntime with the real echo connector, the small conformance
connectors and the real REST connector, plus a static secret store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.secrets_hook import StaticSecretResolver
from connectors._http import aclose
from connectors.echo import echo
from connectors.http_json import TYPE as REST_TYPE
from connectors.http_json import http_json
from tests.conformance.connectors import (
    COUNT_TYPE,
    RAISE_TYPE,
    RETURN_TYPE,
    counter,
    raiser,
    returner,
)
from tests.conformance.http_server import HttpServer
from tests.conformance.support import ECHO, SECRETS


@pytest.fixture
def history() -> MemoryHistorySink:
    return MemoryHistorySink()


@pytest.fixture
async def runtime(history: MemoryHistorySink) -> AsyncIterator[ConnectorRuntime]:
    rt = ConnectorRuntime(
        {
            ECHO: echo,
            RAISE_TYPE: raiser,
            RETURN_TYPE: returner,
            COUNT_TYPE: counter,
            REST_TYPE: http_json,
        },
        secrets=StaticSecretResolver(SECRETS),
        history=history,
    )
    yield rt
    rt.close()
    await aclose()


@pytest.fixture(scope="session")
def http_server() -> Iterator[HttpServer]:
    server = HttpServer().start()
    yield server
    server.stop()
