"""``/api/v1/connectors``: list, describe and test-invoke connectors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Path
from fastapi.responses import JSONResponse

from app.api.auth import Principal, require
from app.api.deps import ServicesDep
from app.api.problems import ProblemError
from app.api.schemas import (
    ConnectorControl,
    ConnectorDetail,
    ConnectorSummary,
    InvokeRequest,
    InvokeResponse,
)
from app.api.strict_json import StrictJsonRoute
from app.db import controls
from app.db.connectors_repo import input_schema
from app.runtime.model import Job
from app.runtime.outcome_json import outcome_to_json
from app.runtime.registry import RegistryEntry
from app.services import Services

router = APIRouter(prefix="/api/v1/connectors", tags=["connectors"], route_class=StrictJsonRoute)

TypePath = Path(
    alias="type",
    description="The connector's job type",
    examples=["switchboard:echo:1"],
)


@router.get(
    "",
    summary="List connectors",
    response_model=list[ConnectorSummary],
    dependencies=[require("viewer")],
)
async def list_connectors(services: ServicesDep) -> list[dict[str, Any]]:
    """Every connector this process discovered: enabled, disabled (by the
    CONNECTOR_OUTBOUND_* filters) and the ones that failed to load, with the reason."""
    return [_with_control(services, entry.to_json()) for entry in services.registry.entries()]


def _with_control(services: Services, summary: dict[str, Any]) -> dict[str, Any]:
    summary["paused"] = bool(summary.get("type")) and services.paused.is_paused(summary["type"])
    return summary


def connector_detail(services: Services, connector_type: str) -> dict[str, Any]:
    """The detail document of a connector (also used by the admin UI)."""
    entry = _entry(services, connector_type)
    connector = services.registry.get(connector_type)
    if connector is None:
        connector = next(
            (c for c in services.registry.disabled() if c.type == connector_type), None
        )
    detail = _with_control(services, entry.to_json())
    detail.update(
        description=connector.description if connector else None,
        templateId=connector.template_id if connector else None,
        inputSchema=input_schema(connector) if connector else None,
        elementTemplateUrl=(
            f"/api/v1/connectors/{connector_type}/element-template"
            if entry.state == "enabled"
            else None
        ),
    )
    return detail


# How long a test invocation waits for its execution row before answering anyway (the row
# stays queued: with the database down the answer still comes, the row follows).
INVOKE_HISTORY_WAIT_SECONDS = 2.0


def _entry(services: Services, connector_type: str) -> RegistryEntry:
    for entry in services.registry.entries():
        if entry.type == connector_type:
            return entry
    raise ProblemError(404, f"No connector with type '{connector_type}'")


@router.get(
    "/{type}",
    summary="Describe a connector",
    response_model=ConnectorDetail,
    dependencies=[require("viewer")],
    responses={404: {"description": "No connector has this type"}},
)
async def get_connector(services: ServicesDep, connector_type: str = TypePath) -> dict[str, Any]:
    """A connector with its input JSON Schema, input variables, timeout, source and state."""
    return connector_detail(services, connector_type)


async def invoke(services: Services, connector_type: str, body: InvokeRequest) -> dict[str, Any]:
    """Run a test invocation through the runtime (also used by the admin UI)."""
    if services.registry.get(connector_type) is None:
        entry = _entry(services, connector_type)  # 404 when unknown
        raise ProblemError(409, f"Connector '{connector_type}' is {entry.state}; it cannot run")
    job = Job.create(
        type=connector_type,
        variables=body.variables,
        custom_headers=body.headers,
        retries=body.retries,
    )
    with services.metrics.in_flight(connector_type):
        result = await services.runtime.execute(job, source="rest", messages=services.messages)
    # Read your own writes: the execution is in the database before the caller hears of it
    # (worker jobs keep the batched writer; this only makes the writer take its queue now).
    await services.history.persisted(timeout=INVOKE_HISTORY_WAIT_SECONDS)
    outcome = outcome_to_json(result.masked_outcome)
    outcome["executionId"] = result.record.id
    outcome["durationMs"] = round(result.record.duration_ms, 3)
    outcome["warnings"] = [w.to_dict() for w in result.record.warnings]
    return outcome


@router.post(
    "/{type}/invoke",
    summary="Invoke a connector (test invocation)",
    response_model=InvokeResponse,
    response_model_exclude_none=False,
    dependencies=[require("operator")],
    responses={
        404: {"description": "No connector has this type"},
        409: {"description": "The connector is disabled or failed to load"},
    },
)
async def invoke_connector(
    services: ServicesDep,
    connector_type: str = TypePath,
    body: InvokeRequest = Body(default_factory=lambda: InvokeRequest()),
) -> JSONResponse:
    """Run the connector the way the Zeebe worker would, with these variables, task
    headers and retries, and return the outcome the worker would send to Zeebe
    (``complete``, ``fail`` or ``throw_error``) with the execution id and duration.
    The execution is recorded in the history with source ``rest``. A connector error is
    not an HTTP error: it is a ``fail`` or ``throw_error`` outcome with status 200."""
    outcome = await invoke(services, connector_type, body)
    return JSONResponse(InvokeResponse.model_validate(outcome).model_dump(by_alias=True))


async def set_paused(
    services: Services, connector_type: str, paused: bool, principal: Principal
) -> dict[str, Any]:
    """Pause or resume a connector type in the database and in this process (also used by
    the admin UI). Other replicas follow within the control refresh interval."""
    _entry(services, connector_type)  # 404 when unknown
    try:
        await controls.set_paused(
            services.sessions, connector_type, paused, changed_by=principal.name
        )
    except Exception as exc:
        # Nothing changed anywhere: the caller must know the pause did not take.
        raise ProblemError(
            503,
            f"The pause could not be stored: the database is unavailable ({type(exc).__name__})",
        ) from exc
    services.paused.set(connector_type, paused)
    return {"type": connector_type, "paused": paused}


_CONTROL_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No connector has this type"},
    503: {"description": "The database is unavailable; nothing changed"},
}


@router.post(
    "/{type}/pause",
    summary="Pause a connector's workers",
    response_model=ConnectorControl,
    responses=_CONTROL_RESPONSES,
)
async def pause_connector(
    services: ServicesDep,
    connector_type: str = TypePath,
    principal: Principal = require("admin"),
) -> dict[str, Any]:
    """Stop taking the connector's jobs on every replica (this one at once, the others
    within `SWITCHBOARD_CONNECTOR_CONTROL_REFRESH_SECONDS`). Jobs already running finish and
    report as usual; open job streams are closed so the engine offers the jobs to other
    workers. Test invocations still run. Persisted: a restart keeps the pause."""
    return await set_paused(services, connector_type, True, principal)


@router.post(
    "/{type}/resume",
    summary="Resume a paused connector's workers",
    response_model=ConnectorControl,
    responses=_CONTROL_RESPONSES,
)
async def resume_connector(
    services: ServicesDep,
    connector_type: str = TypePath,
    principal: Principal = require("admin"),
) -> dict[str, Any]:
    """Take the connector's jobs again on every replica."""
    return await set_paused(services, connector_type, False, principal)
