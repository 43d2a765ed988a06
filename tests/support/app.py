"""Run the real application in tests: its lifespan, and requests that carry its state.

Servers (uvicorn) hand the lifespan state to every request as ``request.state``; an
in-process ``httpx.ASGITransport`` does not run the lifespan. :func:`started` runs it and
returns a :class:`StartedApp`, an ASGI application that injects the state the way a server
does, so the routers find their services through their dependencies exactly as in production.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app.services import Services


class StartedApp:
    """``app`` with its lifespan running; call it like the app (ASGI)."""

    def __init__(self, app: FastAPI, state: Mapping[str, Any]) -> None:
        self.app = app
        self.lifespan_state = dict(state)

    @property
    def services(self) -> Services:
        services = self.lifespan_state["services"]
        assert isinstance(services, Services)
        return services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            # A shallow copy per request, as uvicorn makes it.
            scope["state"] = dict(self.lifespan_state)
        await self.app(scope, receive, send)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


@contextlib.asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[StartedApp]:
    """Run ``app``'s lifespan for the duration of the ``async with`` block."""
    async with app.router.lifespan_context(app) as state:
        yield StartedApp(app, state or {})
