"""The FastAPI application: the API and the admin UI side by side, one lifespan.

Composition is explicit, as in Starlette: :func:`create_app` installs the routers, and its
lifespan starts the :class:`~app.services.Services` and yields them as the lifespan state
(``{"services": ...}``), which the server hands to every request as ``request.state``.
Routers reach them only through the dependencies in :mod:`app.api.deps`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse

from app import api, ui
from app.api.access_log import AccessLog
from app.api.auth import bootstrap_admin_key
from app.api.deps import ServicesDep
from app.api.limits import RequestLimits
from app.inbound.model import DefinitionSource
from app.inbound.registry import InboundRegistry
from app.runtime.registry import ConnectorRegistry
from app.services import start_services
from app.settings import Settings, load_settings


def create_app(
    settings: Settings | None = None,
    registry: ConnectorRegistry | None = None,
    *,
    inbound_registry: InboundRegistry | None = None,
    definition_sources: tuple[DefinitionSource, ...] = (),
) -> FastAPI:
    """Build the application. Nothing connects until the lifespan starts.

    Raises :class:`~app.settings.SettingsError` for settings that cannot serve safely.
    ``inbound_registry`` (default: the entry points) and ``definition_sources`` (process
    definition discovery, none by default) configure the inbound connectors.
    """
    settings = settings or load_settings()
    settings.check_serving()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with contextlib.AsyncExitStack() as stack:
            services = await start_services(
                settings, stack, registry, inbound_registry, definition_sources
            )
            await bootstrap_admin_key(services)
            state: dict[str, Any] = {"services": services}
            if settings.ui_enabled:
                state["ui"] = ui.UiState.from_settings(settings)
            yield state

    app = FastAPI(
        title="Switchboard",
        version="0.1.0",
        description="A Python connector runtime for Camunda 8: test connectors over REST, "
        "read their execution history, manage secrets.",
        lifespan=lifespan,
    )

    @app.get("/health/live", tags=["health"], summary="Liveness: the process answers")
    async def live() -> dict[str, str]:
        return {"status": "up"}

    @app.get(
        "/health/ready",
        tags=["health"],
        summary="Readiness of every component",
        responses={503: {"description": "A component is down"}},
    )
    async def ready(services: ServicesDep) -> JSONResponse:
        ok, report = await services.health.report()
        return JSONResponse(report, status_code=200 if ok else 503)

    # Bodies are bounded for every route; API authentication (installed by api.install,
    # so outside this limit) answers before any body byte is read.
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_request_bytes)
    api.install(app)
    if settings.ui_enabled:
        ui.install(app)

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse(ui.PREFIX + "/", status_code=307)

    # Outermost: every request, the UI's and the webhooks' included, gets one access line.
    app.add_middleware(AccessLog)
    return app
