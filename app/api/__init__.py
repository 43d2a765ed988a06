"""The HTTP API: routers under /api/v1, problem-document error handling, metrics, docs."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import connectors, docs, executions, keys, prometheus, secrets, templates
from app.api.auth import require
from app.api.openapi import RouteRoles, build_openapi, record_roles
from app.api.problems import install_handlers


def install(app: FastAPI) -> None:
    """Mount every API router and the API's error handling on ``app``."""
    install_handlers(app)
    roles: RouteRoles = {}
    for router in (connectors.router, executions.router, keys.router):
        record_roles(roles, router)
        app.include_router(router)
    for router, role in ((secrets.router, "admin"), (templates.router, "viewer")):
        record_roles(roles, router, role)
        app.include_router(router, dependencies=[require(role)])
    app.include_router(prometheus.router)
    docs.install(app)
    app.openapi = lambda: build_openapi(app, roles)  # type: ignore[method-assign]
