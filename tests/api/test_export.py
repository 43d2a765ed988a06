"""``GET /api/v1/executions/export``: the list's filters, CSV with a header row or NDJSON,
streamed, masked as the list is (no inputs or outputs), and the UI's Export link."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from pathlib import Path

from app.api.export import COLUMNS
from app.db import executions_repo as repo
from app.db.models import Base
from app.db.session import create_engine, session_factory
from tests.api.harness import client, execution, insert
from tests.support.app import StartedApp
from tests.ui.test_ui_http import sign_in


async def _rows(app: StartedApp, count: int = 3) -> tuple[str, list[str]]:
    kind = f"test:export:{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC)
    rows = [
        execution(
            kind,
            now - dt.timedelta(seconds=i),
            input={"token": "***"},
            error_message="=HYPERLINK(1)" if i == 0 else 'plain, with "quotes"\nand a newline',
            command="fail" if i % 2 else "complete",
        )
        for i in range(count)
    ]
    await insert(app, rows)
    return kind, [r.id for r in rows]


async def test_csv_export_keeps_the_filters(app: StartedApp, keys: dict[str, str]) -> None:
    kind, ids = await _rows(app)
    async with client(app, keys["viewer"]) as c:
        response = await c.get(
            "/api/v1/executions/export", params={"format": "csv", "connectorType": kind}
        )
        failed = await c.get(
            "/api/v1/executions/export",
            params={"format": "csv", "connectorType": kind, "command": "fail"},
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="executions-' in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == COLUMNS
    assert "input" not in table[0] and "output" not in table[0]
    records = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    assert [r["id"] for r in records] == ids  # newest first
    assert records[0]["errorMessage"] == "'=HYPERLINK(1)"  # no formula for spreadsheets
    assert records[1]["errorMessage"] == 'plain, with "quotes"\nand a newline'
    assert records[0]["jobKey"] == ""  # null is an empty cell
    assert [r["id"] for r in csv.DictReader(io.StringIO(failed.text))] == [ids[1]]


async def test_ndjson_export_matches_the_list(app: StartedApp, keys: dict[str, str]) -> None:
    kind, ids = await _rows(app)
    async with client(app, keys["viewer"]) as c:
        response = await c.get(
            "/api/v1/executions/export", params={"format": "ndjson", "connectorType": kind}
        )
        listed = await c.get("/api/v1/executions", params={"connectorType": kind})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines == listed.json()["items"]
    assert [line["id"] for line in lines] == ids


async def test_export_refuses_an_unknown_format_and_needs_a_key(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["viewer"]) as c:
        bad = await c.get("/api/v1/executions/export", params={"format": "xlsx"})
    async with client(app) as c:
        anonymous = await c.get("/api/v1/executions/export")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "format" for e in bad.json()["errors"])
    assert anonymous.status_code == 401


async def test_stream_reads_in_batches(app: StartedApp) -> None:
    kind, _ = await _rows(app, count=7)
    async with app.services.sessions() as session:
        sizes = [
            len(rows)
            async for rows in repo.stream_executions(
                session, repo.ExecutionFilter(connector_type=kind), batch=3
            )
        ]
    assert sizes == [3, 3, 1]


async def test_ui_export_button_keeps_the_filters(app: StartedApp, keys: dict[str, str]) -> None:
    kind, ids = await _rows(app)
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        page = await c.get("/ui/executions", params={"connectorType": kind, "command": "fail"})
        assert 'id="export-csv"' in page.text
        quoted = kind.replace(":", "%3A")
        link = f"/ui/executions/export?connectorType={quoted}&amp;command=fail&amp;format=csv"
        assert link in page.text
        exported = await c.get(
            "/ui/executions/export",
            params={"connectorType": kind, "command": "fail", "format": "csv"},
        )
    assert exported.status_code == 200
    assert [r["id"] for r in csv.DictReader(io.StringIO(exported.text))] == [ids[1]]


async def test_stream_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'export.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        sessions = session_factory(engine)
        now = dt.datetime.now(dt.UTC)
        async with sessions.begin() as session:
            session.add_all([execution("k:1", now - dt.timedelta(seconds=i)) for i in range(5)])
        async with sessions() as session:
            sizes = [
                len(rows)
                async for rows in repo.stream_executions(session, repo.ExecutionFilter(), batch=2)
            ]
        assert sizes == [2, 2, 1]
    finally:
        await engine.dispose()
