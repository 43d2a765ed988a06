"""A connector for the drain test, loaded by ``switchboard serve`` through
``CONNECTOR_NAP_FUNCTION``."""

from __future__ import annotations

import asyncio
from typing import Any

from connectors.sdk import OutboundContext, outbound_connector


@outbound_connector(name="Nap", type="test:nap:1", input_variables=("seconds",))
async def nap(context: OutboundContext) -> dict[str, Any]:
    seconds = float(context.variables.get("seconds", 0))
    await asyncio.sleep(seconds)
    return {"slept": seconds}
