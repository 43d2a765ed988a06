"""Replay: run a recorded execution again as a test invocation and show both results.

The variables come from the history row on the server, never from the browser. History
stores them masked: a value that was a secret is ``***`` there. The operator names the
stored secret each such value came from; the server puts a ``{{secrets.NAME}}`` placeholder
at its place, so the runtime resolves it as for any job and the value is never shown.
Placeholders kept in history (the usual way secrets are referenced) resolve unchanged.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.api.auth import Principal
from app.api.connectors import invoke
from app.api.deps import ServicesDep
from app.api.problems import ProblemError
from app.api.schemas import InvokeRequest
from app.db import executions_repo as repo
from app.db.executions_repo import DATABASE_ERRORS
from app.db.models import ExecutionRow
from app.runtime.payload import TRUNCATED_KEY
from app.secrets.masking import MASK
from app.services import Services
from app.ui.auth import check_csrf, is_fragment, ui_role

router = APIRouter(include_in_schema=False)
Path = tuple[str | int, ...]
SECRET_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,200}$")


def masked_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """Where ``value`` holds a whole masked value (``***``)."""
    if value == MASK:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from masked_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from masked_paths(item, (*path, index))


def path_label(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def replay_problem(row: ExecutionRow, services: Services) -> str | None:
    """Why this execution cannot be replayed (None when it can)."""
    if row.direction != "outbound":
        return "Only outbound executions can be replayed."
    if services.registry.get(row.connector_type) is None:
        return f"The connector {row.connector_type} is not enabled here."
    if isinstance(row.input, dict) and row.input.get(TRUNCATED_KEY) is True:
        return "History kept only a preview of these variables (they were too large)."
    if row.input is not None and not isinstance(row.input, dict):
        return "The recorded variables are not a JSON object."
    return None


def replay_context(row: ExecutionRow, services: Services) -> dict[str, Any]:
    """What the execution page needs to offer a replay."""
    headers: dict[str, str] = {}
    if row.element_template_id:
        headers["elementTemplateId"] = row.element_template_id
    if row.element_template_version:
        headers["elementTemplateVersion"] = row.element_template_version
    return {
        "replay_problem": replay_problem(row, services),
        "masked": [path_label(p) for p in masked_paths(row.input or {})],
        "replay_headers": json.dumps(headers, indent=2),
        "replay_retries": row.retries_before if row.retries_before is not None else 3,
    }


def refill(variables: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """``variables`` with the masked value at each named path replaced by a placeholder."""
    filled = copy.deepcopy(variables)
    for path in masked_paths(variables):
        name = names.get(path_label(path), "").strip()
        if not name:
            continue
        node: Any = filled
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = "{{secrets." + name + "}}"
    return filled


@router.post("/executions/{execution_id}/replay", dependencies=[Depends(check_csrf)])
async def replay(
    request: Request,
    services: ServicesDep,
    execution_id: str,
    user: Principal = ui_role("operator"),
) -> HTMLResponse:
    from app.ui.routes import render

    row = await load_execution(services, execution_id)
    form = await request.form()
    problem = replay_problem(row, services)
    names: dict[str, str] = {}
    for label in (path_label(p) for p in masked_paths(row.input or {})):
        name = str(form.get(f"secret:{label}") or "").strip()
        if name and not SECRET_NAME.match(name):
            problem = f"{label}: '{name[:40]}' is not a secret name (letters, digits, _ . - /)."
        names[label] = name
    body: InvokeRequest | None = None
    if problem is None:
        try:
            headers = json.loads(str(form.get("headers") or "{}"))
            if not isinstance(headers, dict):
                raise ValueError("must be a JSON object")
            retries = int(str(form.get("retries") or "3"))
            body = InvokeRequest(
                variables=refill(row.input or {}, names), headers=headers, retries=retries
            )
        except ValueError as exc:  # JSONDecodeError and pydantic's ValidationError too
            problem = f"headers or retries: {_first_line(exc)}"
    context: dict[str, Any] = {"e": row, "replay_error": problem}
    if body is not None:
        context["replayed"] = await invoke(services, row.connector_type, body)
    status = 422 if problem else 200
    if is_fragment(request):
        return render(request, "_replay_result.html", context, status=status, user=user)
    context.update(replay_context(row, services))
    context["can_replay"] = True
    return render(request, "execution.html", context, status=status, user=user)


def _first_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def load_execution(services: Services, execution_id: str) -> ExecutionRow:
    """The execution row, or the UI's 404 / 503 problem (execution page and replay)."""
    try:
        async with services.sessions() as session:
            row = await repo.get_execution(session, execution_id[:36])
    except DATABASE_ERRORS:
        raise ProblemError(503, "The database is unavailable") from None
    if row is None:
        raise ProblemError(404, f"No execution with id '{execution_id}'")
    return row
