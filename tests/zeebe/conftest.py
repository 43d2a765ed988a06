"""Fixtures: a fresh test gateway per test and a pyzeebe adapter connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter

from tests.support.gateway import TestGateway


@pytest.fixture
async def gateway() -> AsyncIterator[TestGateway]:
    async with TestGateway() as gw:
        yield gw


@pytest.fixture
async def adapter(gateway: TestGateway) -> AsyncIterator[ZeebeAdapter]:
    channel = grpc.aio.insecure_channel(gateway.address)
    yield ZeebeAdapter(channel, max_connection_retries=-1)
    await channel.close()
