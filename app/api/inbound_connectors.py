"""``/api/v1/inbound-connectors``: the inbound connector types this process runs, and their
element templates (one per BPMN element kind, as Camunda ships them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from app.api.auth import require
from app.api.deps import ServicesDep
from app.api.problems import ProblemError
from app.api.schemas import InboundConnectorSummary
from app.api.strict_json import StrictJsonRoute
from app.inbound.registry import describe
from connectors.sdk.templates import TemplateError
from connectors.sdk.templates.inbound import inbound_element_templates

router = APIRouter(
    prefix="/api/v1/inbound-connectors", tags=["inbound"], route_class=StrictJsonRoute
)

TypePath = Path(
    alias="type", description="The inbound connector's type", examples=["io.camunda:webhook:1"]
)


@router.get(
    "",
    summary="List inbound connectors",
    response_model=list[InboundConnectorSummary],
    dependencies=[require("viewer")],
)
async def list_inbound_connectors(services: ServicesDep) -> list[dict[str, Any]]:
    """Every inbound connector type this process can run (webhook, HTTP polling, RabbitMQ,
    ...), with the element kinds it serves and its template ids. The elements being served
    now are at `GET /api/v1/inbound`."""
    return [describe(c) for c in services.inbound.registry.connectors()]


@router.get(
    "/{type}/element-templates",
    summary="Element templates of an inbound connector",
    response_model=list[dict[str, Any]],
    dependencies=[require("viewer")],
    responses={404: {"description": "No inbound connector has this type"}},
)
async def get_inbound_templates(
    services: ServicesDep, connector_type: str = TypePath
) -> JSONResponse:
    """The connector's Camunda element templates as one JSON array, one template per element
    kind (start event, message start event, intermediate catch event, boundary event,
    receive task, as the connector supports them). The Desktop Modeler reads such an array
    from one file in `resources/element-templates`."""
    connector = services.inbound.registry.get(connector_type)
    if connector is None:
        raise ProblemError(404, f"No inbound connector with type '{connector_type}'")
    try:
        templates = inbound_element_templates(connector)
    except TemplateError as exc:
        raise ProblemError(500, f"Element templates cannot be generated: {exc}") from None
    filename = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in connector_type)
    return JSONResponse(
        templates, headers={"Content-Disposition": f'inline; filename="{filename}.json"'}
    )
