"""HTTP routers, error handling, metrics and the admin UI, installed on the app."""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from app.api import connectors, docs, executions, keys, prometheus
from app.api.auth import bootstrap_admin_key, limiter_from_settings, require
from app.api.openapi import build_openapi, record_roles
from app.api.problems import install_handlers
from app.metrics import Metrics

log = logging.getLogger("switchboard.api")

# Routers owned by other layers: module, role needed. Mounted when present.
OPTIONAL_ROUTERS = (("app.api.secrets", "admin"), ("app.api.templates", "viewer"))


def install(app: FastAPI) -> None:
    """Mount every router and middleware on ``app`` (called by ``create_app``).

    Also puts a :class:`~app.metrics.Metrics` on ``app.state.metrics`` and wraps the
    lifespan so that, once the database is wired, SWITCHBOARD_ADMIN_API_KEY is stored.
    """
    metrics = Metrics()
    app.state.metrics = metrics
    app.state.auth_limiter = limiter_from_settings(app.state.settings)
    metrics.watch_history(lambda: getattr(app.state, "history", None))
    metrics.watch_gateway(lambda: gateway_state(app))
    metrics.watch_worker_jobs(lambda: worker_jobs(app))

    install_handlers(app)
    for router in (connectors.router, executions.router, keys.router):
        record_roles(app, router)
        app.include_router(router)
    for module_name, role in OPTIONAL_ROUTERS:
        router = _optional_router(module_name)
        if router is not None:
            record_roles(app, router, role)
            app.include_router(router, dependencies=[require(role)])
    app.include_router(prometheus.router)
    docs.install(app)
    if app.state.settings.ui_enabled:
        from app.ui import install as install_ui

        install_ui(app)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    _wrap_lifespan(app)


def _optional_router(module_name: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, "router", None)


def gateway_state(app: FastAPI) -> str:
    """connected / disconnected / connecting / disabled, from ``app.state.zeebe.status()``."""
    service = getattr(app.state, "zeebe", None)
    if service is None:
        return "disabled"
    status = service.status()
    if status.get("status") == "disabled":
        return "disabled"
    if status.get("status") == "up":
        return "connected"
    return "connecting" if status.get("error") == "worker not running" else "disconnected"


def worker_jobs(app: FastAPI) -> dict[str, int]:
    """Running jobs per job type of the Zeebe worker (``app.state.zeebe``)."""
    service = getattr(app.state, "zeebe", None)
    counts: dict[str, int] = {}
    for worker in getattr(service, "workers", None) or ():
        counts[worker.job_type] = counts.get(worker.job_type, 0) + len(worker.running)
    return counts


def _wrap_lifespan(app: FastAPI) -> None:
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            await startup(app)
            yield state

    app.router.lifespan_context = lifespan


async def startup(app: FastAPI) -> None:
    """Start-up work of the API layer, after the lifespan wired ``app.state.sessions``."""
    await bootstrap_admin_key(app)
