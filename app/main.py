"""The FastAPI application and the lifespan that wires every layer together."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db.connectors_repo import upsert_connectors
from app.db.history import HistoryWriter
from app.db.session import create_engine, session_factory
from app.engines.zeebe.service import ZeebeService
from app.health import HealthRegistry
from app.metrics import MetricsHistorySink
from app.runtime.executor import ConnectorRuntime
from app.runtime.registry import ConnectorRegistry
from app.secrets.masking import install_log_masking, remove_log_masking
from app.secrets.service import SecretsService
from app.settings import Settings, load_settings

log = logging.getLogger("switchboard")


def create_app(
    settings: Settings | None = None, registry: ConnectorRegistry | None = None
) -> FastAPI:
    """Build the application. Nothing connects until the lifespan starts."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await _start(app, settings, registry, stack)
            yield

    app = FastAPI(
        title="Switchboard",
        version="0.1.0",
        description="A Python connector runtime for Camunda 8: test connectors over REST, "
        "read their execution history, manage secrets.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.health = HealthRegistry()

    @app.get("/health/live", tags=["health"], summary="Liveness: the process answers")
    async def live() -> dict[str, str]:
        return {"status": "up"}

    @app.get(
        "/health/ready",
        tags=["health"],
        summary="Readiness of every component",
        responses={503: {"description": "A component is down"}},
    )
    async def ready() -> JSONResponse:
        ok, report = await app.state.health.report()
        return JSONResponse(report, status_code=200 if ok else 503)

    from app.api import install

    install(app)
    return app


async def _start(
    app: FastAPI,
    settings: Settings,
    registry: ConnectorRegistry | None,
    stack: contextlib.AsyncExitStack,
) -> None:
    state: Any = app.state
    state.registry = registry or ConnectorRegistry.from_environment(os.environ)

    engine = create_engine(settings.database_url)
    stack.push_async_callback(engine.dispose)
    state.engine = engine
    state.sessions = session_factory(engine)

    async def database_health() -> dict[str, Any]:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return {"status": "up", "dialect": engine.dialect.name}
        except Exception as exc:
            return {"status": "down", "dialect": engine.dialect.name, "error": type(exc).__name__}

    state.health.add("database", database_health)
    try:
        await upsert_connectors(
            state.sessions,
            state.registry.connectors(),
            state.registry.disabled(),
        )
    except Exception as exc:
        # The database may be down at start-up; readiness shows it, the API keeps serving.
        log.warning("could not record connectors in the database: %s", type(exc).__name__)

    # Shutdown runs in reverse: the worker stops first (in-flight jobs finish), then the
    # runtime's thread pool, the history writer (flushes), the secret providers, the engine.
    secrets = SecretsService.from_settings(settings)
    masking = install_log_masking(secrets.masker)
    stack.callback(remove_log_masking, masking)
    await secrets.start()
    stack.push_async_callback(secrets.close)
    state.secrets = secrets
    if secrets.providers:
        state.health.add("secrets", secrets.health)

    history = HistoryWriter.from_settings(engine, settings)
    await history.start()
    stack.push_async_callback(history.stop)
    state.history = history

    sink = MetricsHistorySink(history, state.metrics) if hasattr(state, "metrics") else history
    # Connectors holding shared resources (the HTTP connectors' client pool) close them here.
    for connector in state.registry.connectors():
        if callable(shutdown := connector.extra.get("shutdown")):
            stack.push_async_callback(shutdown)

    runtime = ConnectorRuntime.from_settings(
        state.registry, settings, secrets=secrets.resolver, history=sink
    )
    stack.callback(runtime.close)
    state.runtime = runtime

    zeebe = ZeebeService(settings, runtime, state.registry)
    state.zeebe = zeebe

    state.health.add("zeebe", zeebe.health)
    await zeebe.start()
    stack.push_async_callback(zeebe.stop)
