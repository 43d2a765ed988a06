"""The per-connector page's documentation and live figures: inputs from the same metadata as
the invoke form and the element template, outputs from the connector function's return
type, figures over the last 24 hours from the database."""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.db import executions_repo as repo
from app.db.executions_repo import DATABASE_ERRORS
from app.services import Services
from connectors.sdk.connector import OutboundConnector

FIGURES_HOURS = 24
RECENT = 10


@dataclass(frozen=True)
class OutputField:
    """One documented field of what the connector returns."""

    name: str
    type: str
    description: str | None


def outputs(connector: OutboundConnector | None) -> list[OutputField] | None:
    """The fields of the connector's result when its function declares a pydantic model as
    its return type; None when it returns an untyped value (a JSON object, usually)."""
    if connector is None:
        return None
    try:
        returned = typing.get_type_hints(connector.function).get("return")
    except Exception:
        return None
    if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
        return None
    found = []
    for name, info in returned.model_fields.items():
        annotation = info.annotation
        shown = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
        found.append(OutputField(info.alias or name, shown, info.description))
    return found


async def live_figures(services: Services, connector_type: str) -> dict[str, Any]:
    """The page's figures (24 h) and recent executions; ``problem`` when the database is down."""
    until = dt.datetime.now(dt.UTC)
    since = until - dt.timedelta(hours=FIGURES_HOURS)
    try:
        async with services.sessions() as session:
            figures = await repo.connector_figures(session, connector_type, since, until)
            recent, _ = await repo.list_executions(
                session, repo.ExecutionFilter(connector_type=connector_type), limit=RECENT
            )
    except DATABASE_ERRORS:
        return {"figures": None, "recent": [], "figures_problem": "The database is unavailable."}
    last_error = figures.last_error_message
    if last_error:
        last_error = services.secrets.masker.mask(last_error)
    return {
        "figures": figures,
        "last_error": last_error,
        "recent": recent,
        "figures_hours": FIGURES_HOURS,
        "figures_problem": None,
    }
