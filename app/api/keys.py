"""``/api/v1/api-keys``: manage API keys (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Response

from app.api.auth import require
from app.api.deps import SessionsDep
from app.api.executions import NO_NUL
from app.api.problems import ProblemError
from app.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from app.api.strict_json import StrictJsonRoute
from app.db import apikeys

router = APIRouter(
    prefix="/api/v1/api-keys",
    tags=["api keys"],
    dependencies=[require("admin")],
    route_class=StrictJsonRoute,
)


def _out(key: apikeys.ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        role=key.role,
        prefix=key.prefix,
        origin=key.origin,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.get("", summary="List API keys", response_model=list[ApiKeyOut])
async def list_api_keys(sessions: SessionsDep) -> list[ApiKeyOut]:
    """The active API keys (never the keys themselves)."""
    return [_out(k) for k in await apikeys.list_keys(sessions)]


@router.post("", summary="Create an API key", status_code=201, response_model=ApiKeyCreated)
async def create_api_key(sessions: SessionsDep, body: ApiKeyCreate) -> ApiKeyCreated:
    """Create a key with a role; the response shows the key once."""
    created, key = await apikeys.create_key(sessions, name=body.name, role=body.role, origin="api")
    return ApiKeyCreated(**_out(created).model_dump(), key=key)


@router.delete(
    "/{id}",
    summary="Revoke an API key",
    status_code=204,
    response_class=Response,
    responses={404: {"description": "No API key has this id"}},
)
async def revoke_api_key(
    sessions: SessionsDep, key_id: str = Path(alias="id", max_length=36, pattern=NO_NUL)
) -> Response:
    """Revoke the key with this id; requests with it are refused from now on."""
    revoked = await apikeys.revoke_key(sessions, key_id, exact=True)
    if revoked is None:
        raise ProblemError(404, f"No API key with id '{key_id}'")
    return Response(status_code=204)
