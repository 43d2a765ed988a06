"""Queries over the execution history: filtered pages, one execution, statistics."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ExecutionRow

COMMANDS = ("complete", "fail", "throw_error")
# What a query raises when the database cannot be reached (asyncpg's connect raises OSError).
DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, OSError)
PERCENTILES = (0.5, 0.95, 0.99)


class InvalidCursorError(ValueError):
    """The pagination cursor was not produced by this API."""


@dataclass(frozen=True)
class ExecutionFilter:
    connector_type: str | None = None
    command: str | None = None
    source: str | None = None
    process_instance_key: int | None = None
    bpmn_process_id: str | None = None
    error_code: str | None = None
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    direction: str | None = None
    element_id: str | None = None
    process_definition_key: int | None = None
    inbound_context: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        row = ExecutionRow
        wanted: list[ColumnElement[bool]] = []
        if self.connector_type is not None:
            wanted.append(row.connector_type == self.connector_type)
        if self.command is not None:
            wanted.append(row.command == self.command)
        if self.source is not None:
            wanted.append(row.source == self.source)
        if self.process_instance_key is not None:
            wanted.append(row.process_instance_key == self.process_instance_key)
        if self.bpmn_process_id is not None:
            wanted.append(row.bpmn_process_id == self.bpmn_process_id)
        if self.error_code is not None:
            wanted.append(row.error_code == self.error_code)
        if self.started_after is not None:
            wanted.append(row.started_at >= utc(self.started_after))
        if self.started_before is not None:
            wanted.append(row.started_at < utc(self.started_before))
        if self.direction is not None:
            wanted.append(row.direction == self.direction)
        if self.element_id is not None:
            wanted.append(row.element_id == self.element_id)
        if self.process_definition_key is not None:
            wanted.append(row.process_definition_key == self.process_definition_key)
        if self.inbound_context is not None:
            wanted.append(row.inbound_context == self.inbound_context)
        return wanted


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC; naive values (SQLite hands them back) are taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def encode_cursor(row: ExecutionRow) -> str:
    raw = json.dumps([utc(row.started_at).isoformat(), row.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        started, key = json.loads(raw)
        if not isinstance(started, str) or not isinstance(key, str):
            raise ValueError
        return utc(dt.datetime.fromisoformat(started)), key
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursorError("not a cursor returned by this API") from None


async def list_executions(
    session: AsyncSession, where: ExecutionFilter, *, limit: int, cursor: str | None = None
) -> tuple[list[ExecutionRow], str | None]:
    """A page of executions, newest first, and the cursor of the next page (None at the end)."""
    conditions = where.conditions()
    if cursor:
        started, key = decode_cursor(cursor)
        conditions.append(
            or_(
                ExecutionRow.started_at < started,
                and_(ExecutionRow.started_at == started, ExecutionRow.id < key),
            )
        )
    query = (
        select(ExecutionRow)
        .where(*conditions)
        .order_by(ExecutionRow.started_at.desc(), ExecutionRow.id.desc())
        .limit(limit + 1)
    )
    rows = list((await session.scalars(query)).all())
    if len(rows) > limit:
        return rows[:limit], encode_cursor(rows[limit - 1])
    return rows, None


async def stream_executions(
    session: AsyncSession, where: ExecutionFilter, *, batch: int = 500
) -> AsyncGenerator[list[Row[Any]], None]:
    """Every execution matching ``where``, newest first, in batches of ``batch`` rows read
    through a server-side cursor (never the whole result in memory). Plain rows with every
    column as an attribute except ``input`` and ``output``, which are not read."""
    columns = [c for c in ExecutionRow.__table__.columns if c.name not in ("input", "output")]
    query = (
        select(*columns)
        .where(*where.conditions())
        .order_by(ExecutionRow.started_at.desc(), ExecutionRow.id.desc())
        .execution_options(yield_per=batch)
    )
    result = await session.stream(query)
    try:
        async for part in result.partitions(batch):
            yield list(part)
    finally:
        await result.close()


async def get_execution(session: AsyncSession, execution_id: str) -> ExecutionRow | None:
    return await session.get(ExecutionRow, execution_id)


@dataclass
class ConnectorStats:
    connector_type: str
    commands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMMANDS, 0))
    percentiles_ms: dict[float, float | None] = field(
        default_factory=lambda: dict.fromkeys(PERCENTILES)
    )

    @property
    def total(self) -> int:
        return sum(self.commands.values())


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's ``percentile_cont``)."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    weight = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * weight


async def connector_stats(
    session: AsyncSession, since: dt.datetime, until: dt.datetime, connector_type: str | None = None
) -> list[ConnectorStats]:
    """Per connector type: executions by command and duration percentiles in [since, until)."""
    where = ExecutionFilter(
        connector_type=connector_type, started_after=since, started_before=until
    ).conditions()
    stats: dict[str, ConnectorStats] = {}
    counts = await session.execute(
        select(ExecutionRow.connector_type, ExecutionRow.command, func.count())
        .where(*where)
        .group_by(ExecutionRow.connector_type, ExecutionRow.command)
    )
    for kind, command, count in counts.all():
        entry = stats.setdefault(kind, ConnectorStats(kind))
        entry.commands[command] = entry.commands.get(command, 0) + int(count)
    if _dialect(session) == "postgresql":
        columns = [
            func.percentile_cont(p).within_group(ExecutionRow.duration_ms) for p in PERCENTILES
        ]
        result = await session.execute(
            select(ExecutionRow.connector_type, *columns)
            .where(*where)
            .group_by(ExecutionRow.connector_type)
        )
        for kind, *values in result.all():
            stats[kind].percentiles_ms = {
                p: None if v is None else float(v) for p, v in zip(PERCENTILES, values, strict=True)
            }
    else:
        durations: dict[str, list[float]] = defaultdict(list)
        result = await session.execute(
            select(ExecutionRow.connector_type, ExecutionRow.duration_ms)
            .where(*where)
            .order_by(ExecutionRow.connector_type, ExecutionRow.duration_ms)
        )
        for kind, duration in result.all():
            durations[kind].append(float(duration))
        for kind, values in durations.items():
            stats[kind].percentiles_ms = {p: percentile(values, p) for p in PERCENTILES}
    return [stats[k] for k in sorted(stats)]


async def per_minute(
    session: AsyncSession, since: dt.datetime, until: dt.datetime, connector_type: str | None = None
) -> dict[tuple[dt.datetime, str], int]:
    """Executions per (minute, command) in [since, until); minutes are UTC, truncated."""
    where = ExecutionFilter(
        connector_type=connector_type, started_after=since, started_before=until
    ).conditions()
    if _dialect(session) == "postgresql":
        minute = func.date_trunc("minute", func.timezone("UTC", ExecutionRow.started_at))
    else:
        minute = func.strftime("%Y-%m-%d %H:%M", ExecutionRow.started_at)
    result = await session.execute(
        select(minute.label("minute"), ExecutionRow.command, func.count())
        .where(*where)
        .group_by(minute, ExecutionRow.command)
    )
    series: dict[tuple[dt.datetime, str], int] = {}
    for value, command, count in result.all():
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        series[(utc(value).replace(second=0, microsecond=0), command)] = int(count)
    return series


def _dialect(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name


@dataclass(frozen=True)
class ConnectorFigures:
    """One connector type's figures over a window, all computed by the database."""

    total: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    last_error_message: str | None
    last_error_code: str | None
    last_error_at: dt.datetime | None

    @property
    def error_rate(self) -> float | None:
        """Share of executions that failed or threw a BPMN error (None without executions)."""
        return self.errors / self.total if self.total else None


ERROR_COMMANDS = ("fail", "throw_error", "failed", "rejected")


async def connector_figures(
    session: AsyncSession, connector_type: str, since: dt.datetime, until: dt.datetime
) -> ConnectorFigures:
    """Executions, errors, p50/p95 duration and the newest error of ``connector_type`` in
    [since, until): aggregates in SQL, never rows loaded into Python."""
    where = ExecutionFilter(
        connector_type=connector_type, started_after=since, started_before=until
    ).conditions()
    is_error = ExecutionRow.command.in_(ERROR_COMMANDS)
    total, errors = (
        await session.execute(
            select(func.count(), func.count().filter(is_error))
            .select_from(ExecutionRow)
            .where(*where)
        )
    ).one()
    p50 = p95 = None
    if total:
        if _dialect(session) == "postgresql":
            p50, p95 = (
                await session.execute(
                    select(
                        func.percentile_cont(0.5).within_group(ExecutionRow.duration_ms),
                        func.percentile_cont(0.95).within_group(ExecutionRow.duration_ms),
                    ).where(*where)
                )
            ).one()
        else:
            p50 = await _ranked_percentile(session, where, int(total), 0.5)
            p95 = await _ranked_percentile(session, where, int(total), 0.95)
    last = (
        await session.execute(
            select(ExecutionRow.error_message, ExecutionRow.error_code, ExecutionRow.started_at)
            .where(*where, is_error)
            .order_by(ExecutionRow.started_at.desc(), ExecutionRow.id.desc())
            .limit(1)
        )
    ).first()
    return ConnectorFigures(
        total=int(total),
        errors=int(errors),
        p50_ms=None if p50 is None else float(p50),
        p95_ms=None if p95 is None else float(p95),
        last_error_message=last[0] if last else None,
        last_error_code=last[1] if last else None,
        last_error_at=utc(last[2]) if last else None,
    )


async def _ranked_percentile(
    session: AsyncSession, where: list[ColumnElement[bool]], total: int, fraction: float
) -> float | None:
    # percentile_cont without it: the two neighbouring ranks, read by OFFSET, interpolated.
    position = fraction * (total - 1)
    low = math.floor(position)
    values = list(
        (
            await session.scalars(
                select(ExecutionRow.duration_ms)
                .where(*where)
                .order_by(ExecutionRow.duration_ms)
                .offset(low)
                .limit(2)
            )
        ).all()
    )
    if not values:
        return None
    high = values[1] if len(values) > 1 else values[0]
    return float(values[0] + (high - values[0]) * (position - low))
