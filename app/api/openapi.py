"""The OpenAPI document: every error response is a problem document, and every
authenticated operation documents 401 (and 403 when a viewer may not call it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.api.problems import PROBLEM_JSON, Problem
from app.db.apikeys import role_rank

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
DESCRIPTIONS = {
    "401": "No API key, or the key is not valid",
    "403": "The API key's role is too low",
    "404": "Not found",
    "405": "Method not allowed",
    "422": "Invalid input: `errors` names each field and the reason",
    "429": "Too many requests with an invalid API key from this address: retry after "
    "`Retry-After` seconds",
    "500": "Unexpected server error",
    "503": "A dependency is unavailable",
}


def build_openapi(app: FastAPI, roles: RouteRoles) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=[
            {"name": "connectors", "description": "Discovered connectors; test invocations."},
            {"name": "executions", "description": "Execution history and statistics."},
            {"name": "element templates", "description": "Camunda element templates."},
            {"name": "secrets", "description": "Secrets (admin only; values are never shown)."},
            {"name": "api keys", "description": "API keys (admin only)."},
            {
                "name": "inbound",
                "description": "Inbound connectors: deployments and the elements served. The "
                "webhooks themselves (/inbound/{context}) take no API key and are not listed.",
            },
            {"name": "health", "description": "Liveness and readiness (no API key needed)."},
            {"name": "metrics", "description": "Prometheus metrics."},
        ],
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schemas["Problem"].pop("$defs", {})
    schemas.update(defs)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _problems(operation, roles.get((path, method.upper())))
    app.openapi_schema = schema
    return schema


RouteRoles = dict[tuple[str, str], str]
"""(path, method) -> the role the operation needs."""


def record_roles(roles: RouteRoles, router: APIRouter, role: str | None = None) -> None:
    """Remember in ``roles`` the role each operation of ``router`` needs (before it is
    included with ``dependencies=[require(role)]``), from its ``require(role)`` dependencies."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        needed = _highest(route.dependant, role)
        if needed is not None:
            for method in route.methods or ():
                roles[(route.path_format, method)] = needed


def _highest(dependant: Dependant, role: str | None) -> str | None:
    roles = [role] if role else []
    stack = [dependant]
    while stack:
        current = stack.pop()
        role = getattr(current.call, "required_role", None)
        if role is not None:
            roles.append(role)
        stack.extend(current.dependencies)
    return max(roles, key=role_rank) if roles else None


def _problems(operation: dict[str, Any], role: str | None) -> None:
    responses = operation["responses"]
    if role is not None:
        responses.setdefault("401", {})
        responses.setdefault("429", {})
        if role_rank(role) > role_rank("viewer"):
            responses.setdefault("403", {})
    parameters = operation.get("parameters", [])
    if any(p.get("in") in ("query", "path") for p in parameters) or "requestBody" in operation:
        responses.setdefault("422", {})
    if any(p.get("in") == "path" for p in parameters):
        # A path parameter the router cannot match (a newline, say) leaves no route: 404.
        responses.setdefault("404", {})
    for code, response in responses.items():
        if not code.isdigit() or int(code) < 400:
            continue
        response["description"] = response.get("description") or DESCRIPTIONS.get(code, "Error")
        if response["description"] in ("Validation Error", "Unprocessable Content"):
            response["description"] = DESCRIPTIONS["422"]
        response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
        if code == "401":
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "The Bearer challenge",
                    "schema": {"type": "string"},
                }
            }
        if code == "429":
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds until this address may authenticate again",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                }
            }
