"""Small connectors for the conformance tests (the echo connector covers the rest)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from connectors.sdk import (
    ConnectorError,
    ConnectorInputError,
    ConnectorRetryError,
    outbound_connector,
)

RAISE_TYPE = "conformance:raise:1"
RETURN_TYPE = "conformance:return:1"


class RaiseInput(BaseModel):
    kind: str
    message: str = "boom"
    code: str | None = None
    retries: int | None = None
    backoff_ms: int | None = None
    variables: dict[str, Any] | None = None


@outbound_connector(name="Raise", type=RAISE_TYPE)
async def raiser(data: RaiseInput) -> dict[str, Any]:
    """Raises the exception class named by ``kind``."""
    backoff = timedelta(milliseconds=data.backoff_ms) if data.backoff_ms is not None else None
    if data.kind == "connector":
        raise ConnectorError(data.code or "E", data.message, data.variables)
    if data.kind == "input":
        raise ConnectorInputError(data.message)
    if data.kind == "retry":
        raise ConnectorRetryError(
            data.message, code=data.code or "RETRY", retries=data.retries, backoff=backoff
        )
    if data.kind == "runtime":
        raise RuntimeError(data.message)
    return {"unreachable": True}


class ReturnInput(BaseModel):
    value: Any = None


@outbound_connector(name="Return", type=RETURN_TYPE)
async def returner(data: ReturnInput) -> Any:
    """Returns ``value`` as the connector response (any JSON value, null included)."""
    return data.value


COUNT_TYPE = "conformance:count:1"
invocations: list[dict[str, Any]] = []


class CountInput(BaseModel):
    tag: str = ""


@outbound_connector(name="Count", type=COUNT_TYPE)
async def counter(data: CountInput) -> dict[str, Any]:
    """Records each call in ``invocations`` (to prove a connector did or did not run)."""
    invocations.append({"tag": data.tag})
    return {"tag": data.tag}
