"""Helpers shared by the conformance tests."""

from __future__ import annotations

from typing import Any

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Job, Outcome
from connectors.echo import echo

ECHO = echo.type
SECRETS = {"API_KEY": "s3cr3t-api-key", "TOKEN": 'tok"en\\with/escapes'}


async def run(
    runtime: ConnectorRuntime,
    type_: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    retries: int = 3,
) -> Outcome:
    """Execute one job and return the outcome the engine would receive."""
    job = Job.create(
        type=type_, variables=variables or {}, custom_headers=headers or {}, retries=retries
    )
    return (await runtime.execute(job)).outcome
