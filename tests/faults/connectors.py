"""Connectors of the fault suite: one that hangs (async), one that blocks its thread (sync),
both with a declared timeout; ``seconds`` says how long a call takes (0: at once)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from connectors.sdk import OutboundContext, outbound_connector

TIMEOUT_SECONDS = 1.0


class Blocking:
    """How many ``block`` calls are inside their blocking call right now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0


BLOCKING = Blocking()


@outbound_connector(
    name="Hang", type="test:fault-hang:1", timeout=TIMEOUT_SECONDS, input_variables=("seconds",)
)
async def hang(context: OutboundContext) -> dict[str, Any]:
    seconds = float(context.variables.get("seconds", 0))
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@outbound_connector(
    name="Block",
    type="test:fault-block:1",
    timeout=TIMEOUT_SECONDS,
    input_variables=("seconds",),
)
def block(context: OutboundContext) -> dict[str, Any]:
    seconds = float(context.variables.get("seconds", 0))
    with BLOCKING.lock:
        BLOCKING.now += 1
    try:
        time.sleep(seconds)  # a blocking client call that does not return in time
    finally:
        with BLOCKING.lock:
            BLOCKING.now -= 1
    return {"slept": seconds}
