"""Pages of the admin UI (server-rendered; every form carries a CSRF token)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from app.api.auth import Principal, authenticate_key
from app.api.connectors import connector_detail, invoke, set_paused
from app.api.deps import ServicesDep
from app.api.executions import stats_response
from app.api.export import ExportFormat, export_response
from app.api.inbound import inbound_elements
from app.api.problems import ProblemError
from app.api.schemas import InvokeRequest
from app.db import executions_repo as repo
from app.db import ui_sessions
from app.db.executions_repo import COMMANDS, DATABASE_ERRORS, InvalidCursorError
from app.inbound.registry import describe
from app.ratelimit import client_address
from app.services import Services
from app.ui.auth import HOME, check_csrf, current_user, is_fragment, safe_next, signer, ui_role
from app.ui.charts import per_minute_chart, percentile_chart
from app.ui.connector_page import live_figures, outputs
from app.ui.filters import DIRECTIONS, INBOUND_OUTCOMES, SOURCES, parse_filters
from app.ui.invoke_form import build_form
from app.ui.replay import load_execution, replay_context
from app.ui.session import LOGIN_COOKIE, SESSION_COOKIE, new_nonce

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["pretty"] = lambda value: json.dumps(
    value, indent=2, ensure_ascii=False, default=str
)
TEMPLATES.env.filters["when"] = lambda value: (
    repo.utc(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""
)
PAGE_SIZE = 50
WINDOWS = (15, 60, 240, 1440)

router = APIRouter(include_in_schema=False)
viewer = ui_role("viewer")


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    user: Principal | None = None,
) -> HTMLResponse:
    nonce = getattr(request.state, "session_nonce", None)
    values = {
        "user": user,
        "csrf_token": signer(request).csrf_token(nonce) if nonce else "",
        "path": request.url.path,
    }
    values.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status)


def _secure_cookies(request: Request, services: Services) -> bool:
    # Over HTTPS (directly, or as a trusted proxy reports it) cookies are always Secure.
    return services.settings.session_cookie_secure or request.url.scheme == "https"


def error_page(
    request: Request, status: int, detail: str | None, headers: Any = None
) -> HTMLResponse:
    """The HTML error page the UI answers its errors with (a fragment to scripts)."""
    user = getattr(request.state, "ui_user", None)
    name = "_error_fragment.html" if is_fragment(request) else "error.html"
    response = render(request, name, {"status": status, "detail": detail}, status=status, user=user)
    for name, value in dict(headers or {}).items():
        if name.lower() != "www-authenticate":
            response.headers[name] = value
    return response


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


# -- sign-in ------------------------------------------------------------------------------


@router.get("/login")
async def login_page(
    request: Request, services: ServicesDep, next: str | None = None
) -> HTMLResponse:
    return _login_form(request, services, safe_next(next))


def _login_form(
    request: Request,
    services: Services,
    next_path: str,
    error: str | None = None,
    *,
    status: int = 401,
) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or new_nonce()
    response = render(
        request,
        "login.html",
        {"next": next_path, "error": error, "login_csrf": signer(request).csrf_token(nonce)},
        status=status if error else 200,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=_secure_cookies(request, services),
        path="/ui",
    )
    return response


@router.post("/login", dependencies=[Depends(check_csrf)])
async def login(request: Request, services: ServicesDep) -> Response:
    form = await request.form()
    key = str(form.get("api_key") or "").strip()
    next_path = safe_next(str(form.get("next") or ""))
    try:
        principal = await authenticate_key(services, key, client_address(request))
    except ProblemError as exc:
        if exc.status == 429:
            wait = exc.headers.get("Retry-After", "")
            message = f"Too many failed sign-ins; try again in {wait} s."
            refused = _login_form(request, services, next_path, message, status=429)
            refused.headers["Retry-After"] = wait
            return refused
        if exc.status == 401:
            return _login_form(
                request, services, next_path, "That API key is not valid or was revoked."
            )
        raise
    response = RedirectResponse(next_path, status_code=303)
    settings = services.settings
    response.set_cookie(
        SESSION_COOKIE,
        signer(request).issue(principal.key_id),
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=_secure_cookies(request, services),
        path="/ui",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ui")
    return response


@router.post("/logout", dependencies=[viewer, Depends(check_csrf)])
async def logout(request: Request, services: ServicesDep) -> RedirectResponse:
    # Ended server-side: the cookie is refused from now on even if it was copied.
    session = signer(request).verify(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        try:
            await ui_sessions.revoke(services.sessions, session.nonce, session.expires)
        except DATABASE_ERRORS:
            raise ProblemError(503, "The database is unavailable") from None
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


# -- connectors ---------------------------------------------------------------------------


@router.get("/connectors")
async def connectors_page(
    request: Request, services: ServicesDep, user: Principal = viewer
) -> HTMLResponse:
    entries = services.registry.entries()
    context = {
        "entries": entries,
        "paused": services.paused.snapshot(),
        "can_control": user.has("admin"),
        "message": request.query_params.get("message"),
    }
    return render(request, "connectors.html", context, user=user)


@router.post("/connectors/{connector_type}/pause", dependencies=[Depends(check_csrf)])
async def pause_connector(
    services: ServicesDep, connector_type: str, user: Principal = viewer
) -> Response:
    return await _control(services, connector_type, "pause", user)


@router.post("/connectors/{connector_type}/resume", dependencies=[Depends(check_csrf)])
async def resume_connector(
    services: ServicesDep, connector_type: str, user: Principal = viewer
) -> Response:
    return await _control(services, connector_type, "resume", user)


async def _control(
    services: Services, connector_type: str, action: str, user: Principal
) -> Response:
    """Pause or resume from the connectors page (admins; the API's own rules and errors)."""
    if not user.has("admin"):
        raise ProblemError(403, f"This needs the admin role; you are a {user.role}")
    await set_paused(services, connector_type, action == "pause", user)
    done = "Paused" if action == "pause" else "Resumed"
    query = urlencode({"message": f"{done} {connector_type}."})
    return RedirectResponse(f"/ui/connectors?{query}", status_code=303)


@router.get("/connectors/{connector_type}")
async def connector_page(
    request: Request, services: ServicesDep, connector_type: str, user: Principal = viewer
) -> HTMLResponse:
    return await _connector_view(request, services, connector_type, user)


async def _connector_view(
    request: Request,
    services: Services,
    connector_type: str,
    user: Principal,
    *,
    form: dict[str, Any] | None = None,
    outcome: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    detail = connector_detail(services, connector_type)
    values = form or {"variables": "{\n  \n}", "headers": "{}", "retries": 3}
    connector = services.registry.get(connector_type)
    invoke_form = build_form(connector)
    return render(
        request,
        "connector.html",
        {
            **await live_figures(services, connector_type),
            "outputs": outputs(connector),
            "c": detail,
            "schema": json.dumps(detail["inputSchema"], indent=2) if detail["inputSchema"] else "",
            "form": values,
            "outcome": outcome,
            "error": error,
            "can_invoke": user.has("operator") and detail["state"] == "enabled",
            "invoke_form": invoke_form,
        },
        status=status,
        user=user,
    )


@router.post("/connectors/{connector_type}/invoke", dependencies=[Depends(check_csrf)])
async def invoke_from_form(
    request: Request,
    services: ServicesDep,
    connector_type: str,
    user: Principal = ui_role("operator"),
) -> HTMLResponse:
    form = await request.form()
    values = {
        "variables": str(form.get("variables") or "{}"),
        "headers": str(form.get("headers") or "{}"),
        "retries": str(form.get("retries") or "3"),
    }
    try:
        body = InvokeRequest(
            variables=_json_object(values["variables"], "variables"),
            headers=_json_object(values["headers"], "headers"),
            retries=int(values["retries"]) if values["retries"].strip() else 3,
        )
    except (ValueError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        if is_fragment(request):
            return render(request, "_invoke_error.html", {"error": message}, status=422)
        return await _connector_view(
            request, services, connector_type, user, form=values, error=message, status=422
        )
    outcome = await invoke(services, connector_type, body)
    if is_fragment(request):
        # The page asked with fetch: only the outcome card, so a reload never resends.
        return render(request, "_outcome.html", {"outcome": outcome}, user=user)
    return await _connector_view(
        request, services, connector_type, user, form=values, outcome=outcome
    )


def _json_object(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{name}: must be a JSON object")
    return value


@router.get("/connectors/{connector_type}/element-template", dependencies=[viewer])
async def download_template(services: ServicesDep, connector_type: str) -> Response:
    from connectors.sdk.templates import TemplateError, element_template

    connector = services.registry.get(connector_type)
    if connector is None:
        raise ProblemError(404, f"No enabled connector with type '{connector_type}'")
    try:
        template = element_template(connector)
    except TemplateError as exc:
        raise ProblemError(500, f"The element template cannot be generated: {exc}") from None
    filename = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in connector_type)
    return JSONResponse(
        template, headers={"Content-Disposition": f'attachment; filename="{filename}.json"'}
    )


# -- executions ---------------------------------------------------------------------------


async def _page(request: Request, services: Services) -> dict[str, Any]:
    parsed = parse_filters(request.query_params)
    cursor = request.query_params.get("cursor") or None
    rows: list[Any] = []
    next_cursor = None
    problems = list(parsed.problems)
    if not problems:
        try:
            async with services.sessions() as session:
                rows, next_cursor = await repo.list_executions(
                    session, parsed.where, limit=PAGE_SIZE, cursor=cursor
                )
        except InvalidCursorError:
            problems.append("That page link is not valid any more; showing the newest executions.")
        except DATABASE_ERRORS:
            raise ProblemError(503, "The database is unavailable") from None
    query = parsed.query
    return {
        "rows": rows,
        "chosen": parsed.shown,
        "problem": " ".join(problems) or None,
        "filter_query": query,
        "next_query": {**query, "cursor": next_cursor} if next_cursor else None,
        "paged": bool(cursor),
        "types": sorted(e.type for e in services.registry.entries() if e.type),
        "commands": COMMANDS + INBOUND_OUTCOMES,
        "directions": DIRECTIONS,
        "sources": SOURCES,
    }


@router.get("/executions")
async def executions_page(
    request: Request, services: ServicesDep, user: Principal = viewer
) -> HTMLResponse:
    return render(request, "executions.html", await _page(request, services), user=user)


@router.get("/executions/rows")
async def execution_rows(
    request: Request, services: ServicesDep, user: Principal = viewer
) -> HTMLResponse:
    """The table body alone, for live refresh."""
    return render(request, "_execution_rows.html", await _page(request, services), user=user)


@router.get("/executions/export", dependencies=[viewer])
async def export_page(request: Request, services: ServicesDep) -> Response:
    """The executions page's Export button: the page's filters, the API's streamed export."""
    parsed = parse_filters(request.query_params)
    if parsed.problems:
        raise ProblemError(422, " ".join(parsed.problems))
    wanted = request.query_params.get("format", "csv")
    fmt: ExportFormat = "ndjson" if wanted == "ndjson" else "csv"
    return await export_response(services.sessions, parsed.where, fmt)


@router.get("/executions/{execution_id}")
async def execution_page(
    request: Request, services: ServicesDep, execution_id: str, user: Principal = viewer
) -> HTMLResponse:
    row = await load_execution(services, execution_id)
    context = {
        "e": row,
        "can_replay": user.has("operator"),
        "operate_link": operate_link(services.settings.operate_url, row.process_instance_key),
        **replay_context(row, services),
    }
    return render(request, "execution.html", context, user=user)


def operate_link(operate_url: str | None, process_instance_key: int | None) -> str | None:
    """Operate's page of a process instance: ``{operate_url}/processes/{key}`` (Operate's
    route, camunda/camunda operate/client/src/modules/Routes.tsx ``Paths.processInstance``)."""
    if not operate_url or process_instance_key is None:
        return None
    return f"{operate_url}/processes/{process_instance_key}"


# -- inbound ------------------------------------------------------------------------------


@router.get("/inbound")
async def inbound_page(
    request: Request, services: ServicesDep, user: Principal = viewer
) -> HTMLResponse:
    elements = await inbound_elements(services)
    for element in elements:
        path = element["webhookPath"]
        element["url"] = (
            str(request.url.replace(path=path, query="", fragment="")) if path else None
        )
        element["historyQuery"] = {
            "direction": "inbound",
            "processDefinitionKey": str(element["processDefinitionKey"]),
            "elementId": element["elementId"],
        }
    connectors = [describe(c) for c in services.inbound.registry.connectors()]
    context = {"elements": elements, "connectors": connectors}
    return render(request, "inbound.html", context, user=user)


@router.get("/inbound-connectors/{connector_type}/element-templates", dependencies=[viewer])
async def download_inbound_templates(services: ServicesDep, connector_type: str) -> Response:
    from connectors.sdk.templates import TemplateError
    from connectors.sdk.templates.inbound import inbound_element_templates

    connector = services.inbound.registry.get(connector_type)
    if connector is None:
        raise ProblemError(404, f"No inbound connector with type '{connector_type}'")
    try:
        templates = inbound_element_templates(connector)
    except TemplateError as exc:
        raise ProblemError(500, f"The element templates cannot be generated: {exc}") from None
    filename = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in connector_type)
    return JSONResponse(
        templates, headers={"Content-Disposition": f'attachment; filename="{filename}.json"'}
    )


# -- statistics ---------------------------------------------------------------------------


@router.get("/stats")
async def stats_page(
    request: Request, services: ServicesDep, user: Principal = viewer
) -> HTMLResponse:
    try:
        window = int(request.query_params.get("windowMinutes", "60"))
    except ValueError:
        window = 60
    window = window if window in WINDOWS else 60
    chart_minutes = min(window, 120)
    until = dt.datetime.now(dt.UTC)
    try:
        async with services.sessions() as session:
            since = until - dt.timedelta(minutes=window)
            found = await repo.connector_stats(session, since, until)
            counts = await repo.per_minute(
                session, until - dt.timedelta(minutes=chart_minutes), until
            )
    except DATABASE_ERRORS:
        raise ProblemError(503, "The database is unavailable") from None
    return render(
        request,
        "stats.html",
        {
            "summary": stats_response(found, since, until, window),
            "window": window,
            "windows": WINDOWS,
            "chart_minutes": chart_minutes,
            "minute_chart": per_minute_chart(counts, until, chart_minutes),
            "percentiles": percentile_chart(found),
        },
        user=user,
    )


# -- secrets (admin) ----------------------------------------------------------------------


@router.get("/secrets")
async def secrets_page(
    request: Request,
    services: ServicesDep,
    user: Principal = ui_role("admin"),
    saved: str | None = None,
    deleted: str | None = None,
) -> HTMLResponse:
    message = f"Saved {saved}." if saved else f"Deleted {deleted}." if deleted else None
    return await _secrets_view(request, services, user, message=message)


async def _secrets_view(
    request: Request,
    services: Services,
    user: Principal,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    from app.secrets import SecretError

    service = services.secrets
    items: list[Any] = []
    try:
        items = await service.list_secrets()
    except SecretError as exc:
        error = error or service.masker.mask(str(exc))
    return render(
        request,
        "secrets.html",
        {
            "items": items,
            "writable": service.writable is not None,
            "message": message,
            "error": error,
        },
        status=status,
        user=user,
    )


@router.post("/secrets", dependencies=[Depends(check_csrf)])
async def set_secret(
    request: Request, services: ServicesDep, user: Principal = ui_role("admin")
) -> Response:
    from app.secrets import SecretError

    service = services.secrets
    form = await request.form()
    name = str(form.get("name") or "").strip()
    value = str(form.get("value") or "")
    try:
        await service.set_secret(name, value)
    except SecretError as exc:
        # Never echo the value: the message is masked with it as well.
        masked = service.masker.mask(str(exc)).replace(value, "***") if value else str(exc)
        return await _secrets_view(request, services, user, error=masked, status=422)
    return RedirectResponse(f"/ui/secrets?{urlencode({'saved': name})}", status_code=303)


@router.post("/secrets/{name:path}/delete", dependencies=[Depends(check_csrf)])
async def delete_secret(
    request: Request, services: ServicesDep, name: str, user: Principal = ui_role("admin")
) -> Response:
    from app.secrets import SecretError

    service = services.secrets
    try:
        await service.delete_secret(name)
    except SecretError as exc:
        return await _secrets_view(
            request, services, user, error=service.masker.mask(str(exc)), status=422
        )
    return RedirectResponse(f"/ui/secrets?{urlencode({'deleted': name})}", status_code=303)


# -- health -------------------------------------------------------------------------------


@router.get("/health")
async def health_page(
    request: Request, services: ServicesDep, user: Principal = viewer
) -> HTMLResponse:
    ready, report = await services.health.report()
    return render(request, "health.html", {"ready": ready, "report": report}, user=user)


__all__ = ["current_user", "error_page", "router"]
