"""The per-connector page: documentation from the input model (the invoke form's metadata),
the template download, live figures over 24 h computed by the database, recent executions."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from app.db import executions_repo as repo
from app.db.models import Base
from app.db.session import create_engine, session_factory
from app.ui.connector_page import outputs
from connectors.sdk import outbound_connector
from tests.api.harness import client, execution, insert
from tests.support.app import StartedApp
from tests.ui.test_ui_http import sign_in

ECHO = "switchboard:echo:1"
REST = "io.camunda:http-json:1"


def _rows(kind: str, now: dt.datetime) -> list:  # type: ignore[type-arg]
    durations = [10.0, 20.0, 30.0, 40.0, 1000.0]
    rows = [
        execution(kind, now - dt.timedelta(minutes=10 + i), duration_ms=d)
        for i, d in enumerate(durations)
    ]
    rows.append(
        execution(
            kind,
            now - dt.timedelta(minutes=2),
            command="fail",
            error_code="BOOM",
            error_message="newest failure",
            duration_ms=50.0,
        )
    )
    rows.append(
        execution(
            kind,
            now - dt.timedelta(minutes=5),
            command="throw_error",
            error_code="OLD",
            error_message="older error",
            duration_ms=60.0,
        )
    )
    # Outside the 24 h window: not counted.
    rows.append(execution(kind, now - dt.timedelta(hours=25), command="fail", duration_ms=9e6))
    return rows


def _check(figures: repo.ConnectorFigures) -> None:
    assert figures.total == 7 and figures.errors == 2
    assert figures.error_rate == pytest.approx(2 / 7)
    # Sorted: 10 20 30 40 50 60 1000 -> p50 = 40, p95 = 60 + 0.7 * 940 (linear interpolation).
    assert figures.p50_ms == pytest.approx(40.0)
    assert figures.p95_ms == pytest.approx(60 + 0.7 * 940)
    assert figures.last_error_message == "newest failure"
    assert figures.last_error_code == "BOOM"


async def test_figures_in_postgresql(app: StartedApp) -> None:
    kind = f"test:figures:{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC)
    await insert(app, _rows(kind, now))
    async with app.services.sessions() as session:
        figures = await repo.connector_figures(session, kind, now - dt.timedelta(hours=24), now)
        empty = await repo.connector_figures(session, kind + "x", now - dt.timedelta(hours=24), now)
    _check(figures)
    assert empty.total == 0 and empty.error_rate is None and empty.p50_ms is None


async def test_figures_in_sqlite_agree(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'figures.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        sessions = session_factory(engine)
        kind = "test:figures:sqlite"
        now = dt.datetime.now(dt.UTC)
        async with sessions.begin() as session:
            session.add_all(_rows(kind, now))
        async with sessions() as session:
            _check(await repo.connector_figures(session, kind, now - dt.timedelta(hours=24), now))
    finally:
        await engine.dispose()


async def test_connector_page_documents_and_shows_figures(
    app: StartedApp, keys: dict[str, str]
) -> None:
    now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    marker = f"page-failure-{uuid.uuid4().hex[:8]}"
    failed = execution(
        ECHO, now, command="fail", error_code="PAGE", error_message=marker, source="rest"
    )
    await insert(app, [failed])
    async with client(app) as c:
        await sign_in(c, keys["viewer"])
        echo = await c.get(f"/ui/connectors/{ECHO}")
        rest = await c.get(f"/ui/connectors/{REST}")
    assert echo.status_code == 200, echo.text
    text = echo.text
    assert 'id="figures"' in text and 'id="figure-total"' in text
    assert marker in text  # the newest error of the last 24 h
    assert f'href="/ui/executions/{failed.id}"' in text  # recent executions link to each
    assert 'id="template-download"' in text
    assert 'id="doc-outputs-untyped"' in text
    # The REST connector's inputs come from its model, as the template has them.
    assert rest.status_code == 200
    assert 'class="grid doc-inputs"' in rest.text
    assert "authentication.type" in rest.text and ">url<" in rest.text
    assert '<span class="badge secret">secret</span>' in rest.text


class _Answer(BaseModel):
    status: int = Field(description="The status")
    body_text: str = Field(alias="bodyText")


class _Question(BaseModel):
    q: str


@outbound_connector(name="Typed", type="test:typed:1")
async def _typed(data: _Question) -> _Answer:
    return _Answer(status=200, bodyText=data.q)


def test_outputs_come_from_a_typed_result() -> None:
    found = outputs(_typed)
    assert found is not None
    assert [(o.name, o.type, o.description) for o in found] == [
        ("status", "int", "The status"),
        ("bodyText", "str", None),
    ]
    assert outputs(None) is None
