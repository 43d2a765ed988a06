"""Connectors of the fault suite: one that hangs (async), one that blocks its thread (sync),
both with a declared timeout; ``seconds`` says how long a call takes (0: at once)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from connectors.sdk import OutboundContext, outbound_connector

TIMEOUT_SECONDS = 1.0


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
    time.sleep(seconds)  # a blocking client call that never returns in time
    return {"slept": seconds}
