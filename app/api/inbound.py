"""Inbound connectors over HTTP: the webhook endpoint ``/inbound/{context}`` (no API key: the
webhook's own authorization applies), ``GET /api/v1/inbound`` (the elements being served)
and ``POST /api/v1/deployments`` (deploy through Switchboard and register what the engine
accepted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select

from app.api.auth import require
from app.api.deps import ServicesDep
from app.api.problems import FieldError, ProblemError
from app.api.schemas import DeploymentResponse, InboundElementOut
from app.db.executions_repo import DATABASE_ERRORS, utc
from app.db.models import ExecutionRow
from app.inbound.bpmn import BpmnError
from app.inbound.model import RegisteredElement
from app.runtime.engine import (
    EngineNotConfiguredError,
    EngineRejectedError,
    EngineUnavailableError,
    Resource,
)
from app.services import Services
from connectors.sdk.webhook import WebhookRequestHead

webhooks = APIRouter(tags=["inbound"])
router = APIRouter(prefix="/api/v1", tags=["inbound"])

# InboundWebhookRestController maps GET, HEAD, POST, PUT and DELETE.
WEBHOOK_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]
MAX_RESOURCE_BYTES = 10 * 1024 * 1024
MAX_RESOURCES = 50


@webhooks.api_route("/inbound/{context}", methods=WEBHOOK_METHODS, include_in_schema=False)
async def webhook(context: str, request: Request, services: ServicesDep) -> Response:
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        headers.setdefault(name.lower(), value)
    params: dict[str, str] = {}
    for name, value in parse_qsl(request.url.query, keep_blank_values=True):
        params.setdefault(name, value)
    url = str(request.url.replace(query="", fragment="")).rstrip("?")
    head = WebhookRequestHead(request.method.upper(), url, headers, params)
    length = headers.get("content-length")
    content_length = int(length) if length is not None and length.isdigit() else None

    async def chunks() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            if chunk:
                yield chunk

    answer = await services.inbound.handle_webhook(context, head, chunks(), content_length)
    response = Response(answer.body, status_code=answer.status, headers=answer.headers)
    if answer.close:
        response.headers["connection"] = "close"
    return response


def _element_json(element: RegisteredElement, last: dt.datetime | None) -> dict[str, Any]:
    extra = dict(element.extra)
    recorded = utc(last).isoformat() if last is not None else None
    in_memory = extra.pop("lastActivity", None)
    return {
        "bpmnProcessId": element.bpmn_process_id,
        "version": element.version,
        "processDefinitionKey": element.process_definition_key,
        "elementId": element.element_id,
        "kind": element.kind,
        "type": element.connector_type,
        "webhookPath": element.webhook_path,
        "state": element.state,
        "error": element.error,
        "tenantId": extra.pop("tenantId", None),
        "elementName": extra.pop("elementName", None),
        "messageName": extra.pop("messageName", None),
        "executableId": extra.pop("executableId", None),
        "health": extra.pop("health", None),
        "lastActivity": max(filter(None, (recorded, in_memory)), default=None),
        "activity": extra.pop("activity", []),
    }


async def _last_activity(services: Services) -> dict[tuple[int, str], dt.datetime]:
    """The newest inbound execution of every element, from every replica's records."""
    try:
        async with services.sessions() as session:
            rows = await session.execute(
                select(
                    ExecutionRow.process_definition_key,
                    ExecutionRow.element_id,
                    func.max(ExecutionRow.started_at),
                )
                .where(ExecutionRow.direction == "inbound")
                .group_by(ExecutionRow.process_definition_key, ExecutionRow.element_id)
            )
            return {(k, e): at for k, e, at in rows if k is not None and e is not None}
    except DATABASE_ERRORS:
        return {}


@router.get(
    "/inbound",
    summary="List inbound elements",
    response_model=list[InboundElementOut],
    dependencies=[require("viewer")],
)
async def list_inbound(services: ServicesDep) -> list[dict[str, Any]]:
    """Every inbound connector element this replica serves (active), waits to serve
    (standby: its webhook path is taken) or could not start (failed), with its health, its
    webhook path, its last activity (from the execution history of every replica) and its
    most recent activity-log entries."""
    return await inbound_elements(services)


async def inbound_elements(services: Services) -> list[dict[str, Any]]:
    """The listing of ``GET /api/v1/inbound`` (also the admin UI's Inbound page)."""
    last = await _last_activity(services)
    return [
        _element_json(e, last.get((e.process_definition_key, e.element_id)))
        for e in services.inbound.element_states()
    ]


@router.post(
    "/deployments",
    summary="Deploy resources and register their inbound elements",
    response_model=DeploymentResponse,
    dependencies=[require("operator")],
    responses={
        400: {"description": "The engine refused the resources"},
        409: {"description": "No engine is configured (ZEEBE_ADDRESS is not set)"},
        503: {"description": "The engine or the database is unavailable"},
    },
)
async def deploy(
    services: ServicesDep,
    resources: Annotated[
        list[UploadFile],
        File(description="BPMN, DMN or form files (field `resources`)", min_length=1),
    ],
    tenant_id: Annotated[str | None, Form(alias="tenantId", max_length=255)] = None,
) -> dict[str, Any]:
    """Send the files to the engine (Zeebe DeployResource). The inbound elements of every
    process the engine accepted are registered under the key and version it returned, and
    served by every replica within one poll interval (this one at once)."""
    if len(resources) > MAX_RESOURCES:
        raise _invalid(f"at most {MAX_RESOURCES} files per deployment")
    files: list[Resource] = []
    for upload in resources:
        content = await upload.read(MAX_RESOURCE_BYTES + 1)
        name = upload.filename or ""
        if not name:
            raise _invalid("every file needs a file name")
        if len(content) > MAX_RESOURCE_BYTES:
            raise _invalid(f"{name}: larger than {MAX_RESOURCE_BYTES} bytes")
        files.append(Resource(name, content))
    try:
        result = await services.inbound.deploy(files, tenant_id=tenant_id or None)
    except BpmnError as exc:
        raise _invalid(str(exc)) from None
    except EngineNotConfiguredError as exc:
        # The server's configuration, not its health: as secrets without a writable provider.
        raise ProblemError(409, exc.message) from None
    except EngineUnavailableError as exc:
        raise ProblemError(503, services.secrets.masker.mask(exc.message)) from None
    except EngineRejectedError as exc:
        raise ProblemError(400, services.secrets.masker.mask(exc.message)) from None
    except DATABASE_ERRORS as exc:
        raise ProblemError(
            503,
            f"Deployed, but the inbound elements could not be registered: the database is "
            f"unavailable ({type(exc).__name__})",
        ) from None
    return deployment_json(result.deployment, result.elements)


def deployment_json(deployment: Any, elements: list[RegisteredElement]) -> dict[str, Any]:
    return {
        "key": deployment.key,
        "tenantId": deployment.tenant_id,
        "processes": [
            {
                "bpmnProcessId": p.bpmn_process_id,
                "version": p.version,
                "processDefinitionKey": p.process_definition_key,
                "resourceName": p.resource_name,
                "tenantId": p.tenant_id,
            }
            for p in deployment.processes
        ],
        "inboundElements": [
            {
                "bpmnProcessId": e.bpmn_process_id,
                "version": e.version,
                "processDefinitionKey": e.process_definition_key,
                "elementId": e.element_id,
                "kind": e.kind,
                "type": e.connector_type,
                "webhookPath": e.webhook_path,
                "state": e.state,
                "error": e.error,
            }
            for e in elements
        ],
    }


def _invalid(reason: str) -> ProblemError:
    return ProblemError(
        422,
        f"resources: {reason}",
        errors=[FieldError(location="body", field="resources", reason=reason)],
    )
