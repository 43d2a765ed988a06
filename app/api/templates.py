"""``GET /api/v1/connectors/{type}/element-template``: a connector's element template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.api.deps import RegistryDep
from app.api.problems import PROBLEM_JSON, Problem, problem_response
from app.api.strict_json import StrictJsonRoute
from connectors.sdk.templates import TemplateError, element_template

router = APIRouter(tags=["element templates"], route_class=StrictJsonRoute)

_PROBLEM = {"model": Problem, "content": {PROBLEM_JSON: {}}}


@router.get(
    "/api/v1/connectors/{connector_type}/element-template",
    summary="Element template of a connector",
    response_model=dict[str, Any],
    responses={
        404: {"description": "No connector has this type", **_PROBLEM},
        500: {"description": "The template cannot be generated", **_PROBLEM},
    },
)
async def get_element_template(
    connector_type: str, request: Request, registry: RegistryDep
) -> Response:
    """The Camunda element template (JSON) for the connector with this job type. Save it in
    the Desktop Modeler's ``resources/element-templates`` folder or upload it to Web Modeler."""
    connector = registry.get(connector_type)
    if connector is None:
        return problem_response(request, 404, f"No connector with type {connector_type!r}")
    try:
        template = element_template(connector)
    except TemplateError as exc:
        return problem_response(request, 500, f"Element template cannot be generated: {exc}")
    filename = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in connector_type)
    return JSONResponse(
        template, headers={"Content-Disposition": f'inline; filename="{filename}.json"'}
    )
