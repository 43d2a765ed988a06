"""Connectors used by the worker's end-to-end tests."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from connectors.sdk import ConnectorRetryError, OutboundContext, outbound_connector


class Gate:
    """Holds ``gated`` connector calls until released; counts how many run at once."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.running = 0
        self.peak = 0
        self.calls = 0

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


GATE = Gate()


@outbound_connector(name="Gated", type="test:gated:1", input_variables=("n",))
async def gated(context: OutboundContext) -> dict[str, Any]:
    GATE.calls += 1
    GATE.running += 1
    GATE.peak = max(GATE.peak, GATE.running)
    try:
        await GATE.open.wait()
    finally:
        GATE.running -= 1
    return {"n": context.variables.get("n")}


class Needs(BaseModel):
    url: str
    count: int


@outbound_connector(name="Needs input", type="test:needs:1")
async def needs(data: Needs) -> dict[str, Any]:
    return {"url": data.url, "count": data.count}


@outbound_connector(name="Retry", type="test:retry:1", input_variables=())
async def retry(context: OutboundContext) -> None:
    raise ConnectorRetryError(
        "try later", code="LATER", retries=7, backoff=timedelta(milliseconds=1500)
    )


@outbound_connector(name="Slow", type="test:slow:1", timeout=0.2, input_variables=())
async def slow(context: OutboundContext) -> dict[str, Any]:
    await asyncio.sleep(30)
    return {}


@outbound_connector(name="Crash", type="test:crash:1", input_variables=())
def crash(context: OutboundContext) -> None:
    raise RuntimeError("sync connector crashed for " + str(context.variables.get("who")))


@outbound_connector(name="Not a number", type="test:nan:1", input_variables=())
async def not_a_number(context: OutboundContext) -> dict[str, Any]:
    return {"v": float("nan")}


ALL = (gated, needs, retry, slow, crash, not_a_number)
