"""Export of the execution history as CSV or NDJSON, streamed batch by batch."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.problems import ProblemError
from app.api.schemas import ExecutionSummary
from app.db import executions_repo as repo
from app.db.executions_repo import DATABASE_ERRORS

ExportFormat = Literal["csv", "ndjson"]
# The CSV columns: the fields of a listing's item, in this order (docs/api.md).
COLUMNS = [field.alias or name for name, field in ExecutionSummary.model_fields.items()]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _item(row: Any) -> dict[str, Any]:
    return ExecutionSummary.from_row(row).model_dump(mode="json", by_alias=True)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _encode(rows: list[Any], fmt: ExportFormat) -> bytes:
    if fmt == "ndjson":
        return "".join(
            json.dumps(_item(r), ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows
        ).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        item = _item(row)
        writer.writerow([_cell(item[c]) for c in COLUMNS])
    return buffer.getvalue().encode()


async def export_response(
    sessions: async_sessionmaker[AsyncSession], where: repo.ExecutionFilter, fmt: ExportFormat
) -> StreamingResponse:
    """A streamed download of every execution matching ``where`` (newest first). The first
    batch is read before answering, so an unreachable database is a 503, not a cut stream."""
    stack = contextlib.AsyncExitStack()
    try:
        session = await stack.enter_async_context(sessions())
        batches = repo.stream_executions(session, where)
        stack.push_async_callback(batches.aclose)
        first = await anext(batches, None)
    except DATABASE_ERRORS as exc:
        await stack.aclose()
        raise ProblemError(503, f"The database is unavailable ({type(exc).__name__})") from None

    async def body() -> AsyncIterator[bytes]:
        async with stack:
            if fmt == "csv":
                header = io.StringIO()
                csv.writer(header, lineterminator="\r\n").writerow(COLUMNS)
                yield header.getvalue().encode()
            if first:
                yield _encode(first, fmt)
            async for rows in batches:
                yield _encode(rows, fmt)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        body(),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="executions-{stamp}.{fmt}"'},
    )
