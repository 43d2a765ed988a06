"""The HTTP API: routers under /api/v1, problem-document error handling, metrics, docs."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import (
    connectors,
    docs,
    executions,
    inbound,
    inbound_connectors,
    keys,
    prometheus,
    secrets,
    templates,
)
from app.api.auth import ApiAuthentication, require
from app.api.methods import AllowedMethods
from app.api.openapi import RouteRoles, build_openapi, record_roles
from app.api.problems import install_handlers


def install(app: FastAPI) -> None:
    """Mount every API router, API-key authentication and the API's error handling."""
    app.add_middleware(ApiAuthentication)
    allowed = AllowedMethods()
    install_handlers(app, allowed)
    roles: RouteRoles = {}
    for router in (
        connectors.router,
        executions.router,
        keys.router,
        inbound.router,
        inbound_connectors.router,
    ):
        record_roles(roles, router)
        allowed.record(router)
        app.include_router(router)
    for router, role in ((secrets.router, "admin"), (templates.router, "viewer")):
        record_roles(roles, router, role)
        allowed.record(router)
        app.include_router(router, dependencies=[require(role)])
    allowed.record(prometheus.router)
    app.include_router(prometheus.router)
    allowed.record(inbound.webhooks)
    app.include_router(inbound.webhooks)
    docs.install(app)
    app.openapi = lambda: build_openapi(app, roles)  # type: ignore[method-assign]
