"""Secret management over REST: ``/api/v1/secrets``. Values are write-only.

The router gets the application's :class:`~app.secrets.SecretsService` through the
:func:`secrets_service` dependency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.deps import ServicesDep
from app.api.problems import FieldError, problem_response
from app.api.strict_json import StrictJsonRoute, loads_strict
from app.secrets import (
    InvalidSecretNameError,
    InvalidSecretValueError,
    SecretError,
    SecretNotFoundError,
    SecretProviderError,
    SecretsReadOnlyError,
    SecretsService,
)
from app.secrets.service import MAX_VALUE_LENGTH

router = APIRouter(prefix="/api/v1/secrets", tags=["secrets"], route_class=StrictJsonRoute)

_MAX_BODY_BYTES = MAX_VALUE_LENGTH * 6 + 1024  # worst case: every character JSON-escaped

_STATUS: list[tuple[type[SecretError], int]] = [
    (InvalidSecretNameError, 422),
    (InvalidSecretValueError, 422),
    (SecretsReadOnlyError, 409),
    (SecretNotFoundError, 404),
    (SecretProviderError, 503),
]

_INFO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "provider": {"type": "string"},
        "version": {"type": ["integer", "null"]},
        "updatedAt": {"type": ["string", "null"], "format": "date-time"},
        "tenantId": {"type": ["string", "null"]},
    },
}


def secrets_service(services: ServicesDep) -> SecretsService:
    """The application's secrets service."""
    return services.secrets


Service = Annotated[SecretsService, Depends(secrets_service)]
Tenant = Annotated[
    str | None,
    Query(alias="tenantId", description="Tenant whose secrets to manage (tenant-aware Vault)."),
]


def _error(request: Request, service: SecretsService, exc: SecretError) -> Response:
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
    errors = None
    if isinstance(exc, InvalidSecretNameError):
        errors = [FieldError(location="path", field="name", reason=exc.reason)]
    elif isinstance(exc, InvalidSecretValueError):
        errors = [FieldError(location="body", field="value", reason=str(exc).split(": ", 1)[-1])]
    return problem_response(request, status, service.masker.mask(str(exc)), errors=errors)


def _invalid_body(request: Request, field: str, reason: str) -> Response:
    # Never echo the input: it is (or contains) the secret value.
    errors = [FieldError(location="body", field=field, reason=reason)]
    return problem_response(request, 422, f"{field}: {reason}", errors=errors)


@router.get(
    "",
    summary="List secret names (never values)",
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": _INFO_SCHEMA}},
                    }
                }
            }
        },
        503: {"description": "A provider is unavailable."},
    },
)
async def list_secrets(request: Request, service: Service, tenant_id: Tenant = None) -> Response:
    try:
        infos = await service.list_secrets(tenant_id)
    except SecretError as exc:
        return _error(request, service, exc)
    return JSONResponse({"items": [info.as_json() for info in infos]})


@router.put(
    "/{name:path}",
    summary="Create or replace a secret (write-only value)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["value"],
                        "properties": {"value": {"type": "string", "minLength": 1}},
                    }
                }
            },
        }
    },
    responses={
        200: {"description": "Stored; the value is never returned (name, provider, version)."},
        404: {"description": "The path names no secret (e.g. it holds a line break)."},
        409: {"description": "Only the read-only environment provider is configured."},
        422: {"description": "Invalid name or body."},
        503: {"description": "Vault is unavailable or refused the write."},
    },
)
async def put_secret(
    name: str, request: Request, service: Service, tenant_id: Tenant = None
) -> Response:
    raw = await request.body()
    if len(raw) > _MAX_BODY_BYTES:
        return _invalid_body(request, "body", f"larger than {_MAX_BODY_BYTES} bytes")
    try:
        body = loads_strict(raw)
    except (ValueError, UnicodeDecodeError):
        return _invalid_body(request, "body", 'must be a JSON object {"value": "..."}')
    if not isinstance(body, dict):
        return _invalid_body(request, "body", 'must be a JSON object {"value": "..."}')
    unknown = sorted(k for k in body if k != "value")
    if unknown:
        return _invalid_body(request, unknown[0], "unknown field (only value is accepted)")
    value = body.get("value")
    if not isinstance(value, str) or not value:
        return _invalid_body(request, "value", "required, a non-empty string")
    try:
        info = await service.set_secret(name, value, tenant_id)
        shadowed_by = await service.shadowed_by(name, tenant_id)
    except SecretError as exc:
        return _error(request, service, exc)
    return JSONResponse({**info.as_json(), "shadowedBy": shadowed_by})


@router.delete(
    "/{name:path}",
    status_code=204,
    summary="Delete a secret",
    responses={
        404: {"description": "No such secret in the writable provider."},
        409: {"description": "Only the read-only environment provider is configured."},
        503: {"description": "Vault is unavailable or refused the delete."},
    },
)
async def delete_secret(
    name: str, request: Request, service: Service, tenant_id: Tenant = None
) -> Response:
    try:
        await service.delete_secret(name, tenant_id)
    except SecretError as exc:
        return _error(request, service, exc)
    return Response(status_code=204)
