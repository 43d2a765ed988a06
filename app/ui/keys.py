"""The admin UI's API key page: list, create (the key is shown once), revoke. Admins only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.api.auth import Principal
from app.api.deps import ServicesDep
from app.api.problems import ProblemError
from app.api.schemas import ApiKeyCreate
from app.db import apikeys
from app.db.executions_repo import DATABASE_ERRORS
from app.services import Services
from app.ui.auth import check_csrf, ui_role
from app.ui.routes import render

router = APIRouter(prefix="/api-keys", include_in_schema=False)
admin = ui_role("admin")


@router.get("")
async def api_keys_page(
    request: Request,
    services: ServicesDep,
    user: Principal = admin,
    revoked: str | None = None,
    show: str | None = None,
) -> HTMLResponse:
    message = f"Revoked the API key {revoked}." if revoked else None
    return await _page(request, services, user, show_revoked=show == "all", message=message)


async def _page(
    request: Request,
    services: Services,
    user: Principal,
    *,
    show_revoked: bool = False,
    message: str | None = None,
    error: str | None = None,
    created: apikeys.ApiKey | None = None,
    new_key: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    try:
        keys = await apikeys.list_keys(services.sessions, include_revoked=show_revoked)
    except DATABASE_ERRORS:
        raise ProblemError(503, "The database is unavailable") from None
    context: dict[str, Any] = {
        "keys": keys,
        "roles": apikeys.ROLES,
        "show_revoked": show_revoked,
        "message": message,
        "error": error,
        "created": created,
        "new_key": new_key,
        "form": form or {"name": "", "role": "viewer"},
        "own_key_id": user.key_id,
    }
    return render(request, "api_keys.html", context, status=status, user=user)


@router.post("", dependencies=[Depends(check_csrf)])
async def create_api_key(
    request: Request, services: ServicesDep, user: Principal = admin
) -> HTMLResponse:
    form = await request.form()
    values = {"name": str(form.get("name") or ""), "role": str(form.get("role") or "")}
    try:
        body = ApiKeyCreate.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "form"
        return await _page(
            request, services, user, error=f"{field}: {first['msg']}", form=values, status=422
        )
    try:
        created, key = await apikeys.create_key(
            services.sessions, name=body.name, role=body.role, origin="ui"
        )
    except ValueError as exc:
        return await _page(request, services, user, error=str(exc), form=values, status=422)
    except DATABASE_ERRORS:
        raise ProblemError(503, "The database is unavailable") from None
    # Rendered, not redirected: this response is the only place the key ever appears.
    return await _page(request, services, user, created=created, new_key=key)


@router.post("/{key_id}/revoke", dependencies=[Depends(check_csrf)])
async def revoke_api_key(services: ServicesDep, key_id: str, user: Principal = admin) -> Response:
    revoked = None
    if len(key_id) <= 36 and "\x00" not in key_id:
        try:
            revoked = await apikeys.revoke_key(services.sessions, key_id, exact=True)
        except DATABASE_ERRORS:
            raise ProblemError(503, "The database is unavailable") from None
    if revoked is None:
        raise ProblemError(404, f"No API key with id '{key_id}'")
    query = urlencode({"revoked": revoked.name})
    return RedirectResponse(f"/ui/api-keys?{query}", status_code=303)
