"""``GET /api/v1/connectors/{type}/element-template``: a connector's element template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from connectors.sdk.templates import TemplateError, element_template

router = APIRouter(tags=["element templates"])

PROBLEM_JSON = "application/problem+json"


def _problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


@router.get(
    "/api/v1/connectors/{connector_type}/element-template",
    summary="Element template of a connector",
    response_model=dict[str, Any],
    responses={
        404: {"description": "No such connector", "content": {PROBLEM_JSON: {}}},
        500: {"description": "The template cannot be generated", "content": {PROBLEM_JSON: {}}},
    },
)
async def get_element_template(connector_type: str, request: Request) -> Any:
    """The Camunda element template (JSON) for the connector with this job type; save it
    into the modeler's ``resources/element-templates`` folder to use the connector."""
    connector = request.app.state.registry.get(connector_type)
    if connector is None:
        return _problem(
            404,
            "Connector not found",
            f"No connector with type {connector_type!r}",
            request.url.path,
        )
    try:
        template = element_template(connector)
    except TemplateError as exc:
        return _problem(500, "Element template cannot be generated", str(exc), request.url.path)
    filename = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in connector_type)
    return JSONResponse(
        template, headers={"Content-Disposition": f'inline; filename="{filename}.json"'}
    )
