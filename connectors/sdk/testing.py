"""Run a connector in-process, the way the runtime binds and calls it.

Example::

    from connectors.sdk.testing import run_connector

    result = run_connector(my_connector, {"url": "{{secrets.URL}}"}, secrets={"URL": "..."})
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from connectors.sdk import placeholders
from connectors.sdk.connector import OutboundConnector
from connectors.sdk.context import JobInfo, OutboundContext
from connectors.sdk.errors import ConnectorInputError
from connectors.sdk.messages import MessageSender


def build_context(
    connector: OutboundConnector,
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    retries: int = 3,
    messages: MessageSender | None = None,
) -> OutboundContext:
    """Replace secret placeholders (a missing one is an input error) and build a context;
    ``messages`` is the engine's message capability the connector sees."""
    missing = sorted(placeholders.names_in(dict(variables)) - set(secrets or {}))
    if missing:
        raise ConnectorInputError(f"Secret with name '{missing[0]}' is not available")
    resolved = placeholders.substitute(dict(variables), dict(secrets or {}))
    job = JobInfo(type=connector.type, retries=retries, custom_headers=dict(headers or {}))
    return OutboundContext(job=job, variables=resolved, messages=messages)


async def arun_connector(
    connector: OutboundConnector,
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    retries: int = 3,
    messages: MessageSender | None = None,
) -> Any:
    """Async form of :func:`run_connector`."""
    context = build_context(connector, variables, headers, secrets, retries, messages)
    return await connector.invoke(context)


def run_connector(
    connector: OutboundConnector,
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    retries: int = 3,
    messages: MessageSender | None = None,
) -> Any:
    """Bind ``variables`` (after secret replacement) and run the connector; return its
    JSON-ready result or raise the connector's error (``ConnectorInputError`` for bad input)."""
    return asyncio.run(arun_connector(connector, variables, headers, secrets, retries, messages))
