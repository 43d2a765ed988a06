"""``/api/v1/executions`` and ``/api/v1/stats``: the execution history."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.auth import require
from app.api.deps import SessionsDep
from app.api.export import ExportFormat, export_response
from app.api.problems import FieldError, ProblemError
from app.api.schemas import (
    AnyOutcome,
    ConnectorStatsOut,
    DirectionName,
    DurationPercentiles,
    ExecutionDetail,
    ExecutionPage,
    ExecutionSummary,
    SourceName,
    StatsResponse,
)
from app.api.strict_json import StrictJsonRoute
from app.db import executions_repo as repo
from app.db.executions_repo import DATABASE_ERRORS

router = APIRouter(
    prefix="/api/v1",
    tags=["executions"],
    dependencies=[require("viewer")],
    route_class=StrictJsonRoute,
)

MAX_KEY = 2**63 - 1
# Databases refuse NUL characters in text: say so up front instead of failing the query.
NO_NUL = r"^[^\x00]*$"


def execution_filter(
    connector_type: str | None = Query(
        None, alias="connectorType", max_length=255, pattern=NO_NUL, examples=["switchboard:echo:1"]
    ),
    command: AnyOutcome | None = Query(
        None, description="Outcome command (outbound) or outcome (inbound)"
    ),
    source: SourceName | None = Query(
        None, description="Who ran it: zeebe, camunda-rest, camunda7, rest, cli, webhook or inbound"
    ),
    direction: DirectionName | None = Query(None, description="outbound (jobs) or inbound"),
    element_id: str | None = Query(None, alias="elementId", max_length=255, pattern=NO_NUL),
    process_definition_key: int | None = Query(
        None, alias="processDefinitionKey", ge=0, le=MAX_KEY
    ),
    inbound_context: str | None = Query(
        None,
        alias="inboundContext",
        max_length=255,
        pattern=NO_NUL,
        description="Webhook path (the {context} of /inbound/{context})",
    ),
    process_instance_key: int | None = Query(
        None, alias="processInstanceKey", ge=0, le=MAX_KEY, examples=[2251799813685249]
    ),
    bpmn_process_id: str | None = Query(
        None, alias="bpmnProcessId", max_length=255, pattern=NO_NUL
    ),
    error_code: str | None = Query(None, alias="errorCode", max_length=255, pattern=NO_NUL),
    started_after: dt.datetime | None = Query(
        None,
        alias="startedAfter",
        description="Only executions started at or after this instant (ISO 8601)",
        examples=["2026-11-27T16:00:00Z"],
    ),
    started_before: dt.datetime | None = Query(
        None,
        alias="startedBefore",
        description="Only executions started before this instant (ISO 8601)",
    ),
) -> repo.ExecutionFilter:
    """The filters of ``GET /executions``."""
    return repo.ExecutionFilter(
        connector_type=connector_type,
        command=command,
        source=source,
        process_instance_key=process_instance_key,
        bpmn_process_id=bpmn_process_id,
        error_code=error_code,
        started_after=_aware(started_after, "startedAfter"),
        started_before=_aware(started_before, "startedBefore"),
        direction=direction,
        element_id=element_id,
        process_definition_key=process_definition_key,
        inbound_context=inbound_context,
    )


def _aware(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ProblemError(
            422,
            f"{name}: out of range",
            errors=[FieldError(location="query", field=name, reason="out of range")],
        ) from None


async def db_session(sessions: SessionsDep):  # type: ignore[no-untyped-def]
    """A database session; 503 when the database cannot be reached."""
    try:
        async with sessions() as session:
            yield session
    except DATABASE_ERRORS as exc:
        raise ProblemError(503, f"The database is unavailable ({type(exc).__name__})") from None


@router.get(
    "/executions",
    summary="List executions",
    response_model=ExecutionPage,
    responses={503: {"description": "The database is unavailable"}},
)
async def list_executions(
    filters: repo.ExecutionFilter = Depends(execution_filter),
    limit: int = Query(50, ge=1, le=500, description="Page size"),
    cursor: str | None = Query(
        None, max_length=512, description="The `nextCursor` of the previous page"
    ),
    session: AsyncSession = Depends(db_session),
) -> ExecutionPage:
    """Executions newest first, filtered; follow `nextCursor` for older ones."""
    try:
        rows, next_cursor = await repo.list_executions(session, filters, limit=limit, cursor=cursor)
    except repo.InvalidCursorError as exc:
        raise ProblemError(
            422,
            f"cursor: {exc}",
            errors=[FieldError(location="query", field="cursor", reason=str(exc))],
        ) from None
    return ExecutionPage(
        items=[ExecutionSummary.from_row(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/executions/export",
    summary="Export executions as CSV or NDJSON",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every matching execution, newest first, streamed",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        },
        503: {"description": "The database is unavailable"},
    },
)
async def export_executions(
    sessions: SessionsDep,
    filters: repo.ExecutionFilter = Depends(execution_filter),
    export_format: ExportFormat = Query(
        "csv", alias="format", description="csv (with a header row) or ndjson (one item a line)"
    ),
) -> StreamingResponse:
    """The executions the same filters as `GET /executions` select, all of them, as the
    listing shows them (inputs and outputs left out, secrets masked), read from the
    database in batches while the answer streams. CSV columns: docs/api.md."""
    return await export_response(sessions, filters, export_format)


@router.get(
    "/executions/{id}",
    summary="Get one execution",
    response_model=ExecutionDetail,
    responses={
        404: {"description": "No execution has this id"},
        503: {"description": "The database is unavailable"},
    },
)
async def get_execution(
    execution_id: str = Path(alias="id", max_length=36, pattern=NO_NUL, description="Execution id"),
    session: AsyncSession = Depends(db_session),
) -> ExecutionDetail:
    """One execution with its input and output (secrets masked) and its error."""
    row = await repo.get_execution(session, execution_id)
    if row is None:
        raise ProblemError(404, f"No execution with id '{execution_id}'")
    return ExecutionDetail.from_row(row)


async def stats(
    session: AsyncSession, window_minutes: int, connector_type: str | None = None
) -> StatsResponse:
    """Statistics over the last ``window_minutes``."""
    until = dt.datetime.now(dt.UTC)
    since = until - dt.timedelta(minutes=window_minutes)
    found = await repo.connector_stats(session, since, until, connector_type)
    return stats_response(found, since, until, window_minutes)


def stats_response(
    found: list[repo.ConnectorStats], since: dt.datetime, until: dt.datetime, window_minutes: int
) -> StatsResponse:
    """The API shape of ``found`` (also used by the admin UI)."""
    return StatsResponse(
        since=since,
        until=until,
        window_minutes=window_minutes,
        connectors=[
            ConnectorStatsOut(
                connector_type=s.connector_type,
                total=s.total,
                commands=s.commands,
                duration_ms=DurationPercentiles(
                    p50=_ms(s.percentiles_ms[0.5]),
                    p95=_ms(s.percentiles_ms[0.95]),
                    p99=_ms(s.percentiles_ms[0.99]),
                ),
            )
            for s in found
        ],
    )


def _ms(value: float | None) -> float | None:
    # Microsecond precision, as an invocation's durationMs: interpolation leaves long tails.
    return None if value is None else round(value, 3)


@router.get(
    "/stats",
    summary="Execution statistics",
    response_model=StatsResponse,
    responses={503: {"description": "The database is unavailable"}},
)
async def get_stats(
    window_minutes: int = Query(
        60, alias="windowMinutes", ge=1, le=43_200, description="Window length in minutes"
    ),
    connector_type: str | None = Query(None, alias="connectorType", max_length=255, pattern=NO_NUL),
    session: AsyncSession = Depends(db_session),
) -> StatsResponse:
    """Per connector type: executions by command and p50/p95/p99 duration (ms) over the
    last `windowMinutes` minutes (percentiles interpolate linearly between ranks and are
    rounded to 3 decimals, microseconds)."""
    return await stats(session, window_minutes, connector_type)
