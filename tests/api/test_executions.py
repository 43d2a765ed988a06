"""Execution history: filters, newest-first order, cursor pagination, statistics."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.db import executions_repo as repo
from app.db import migrate
from app.db.session import create_engine, session_factory
from tests.api.harness import client, execution, insert
from tests.support.app import StartedApp


def _type() -> str:
    return f"test:history-{uuid.uuid4().hex[:8]}:1"


async def test_filters_and_order(app: StartedApp, keys: dict[str, str]) -> None:
    kind = _type()
    now = dt.datetime.now(dt.UTC)
    rows = [
        execution(kind, now - dt.timedelta(minutes=5), source="rest"),
        execution(
            kind,
            now - dt.timedelta(minutes=4),
            command="fail",
            error_code="500",
            error_message="server error",
            process_instance_key=2251799813685249,
            bpmn_process_id="order",
        ),
        execution(kind, now - dt.timedelta(minutes=3), command="throw_error", error_code="NF"),
        execution(kind, now - dt.timedelta(minutes=2), bpmn_process_id="order"),
    ]
    await insert(app, rows)
    ids = [r.id for r in rows]

    async def found(**params: object) -> list[str]:
        async with client(app, keys["viewer"]) as c:
            response = await c.get("/api/v1/executions", params={"connectorType": kind, **params})
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await found() == ids[::-1]
    assert await found(command="fail") == [ids[1]]
    assert await found(source="rest") == [ids[0]]
    assert await found(processInstanceKey=2251799813685249) == [ids[1]]
    assert await found(bpmnProcessId="order") == [ids[3], ids[1]]
    assert await found(errorCode="NF") == [ids[2]]
    window = {
        "startedAfter": (now - dt.timedelta(minutes=4, seconds=30)).isoformat(),
        "startedBefore": (now - dt.timedelta(minutes=2, seconds=30)).isoformat(),
    }
    assert await found(**window) == [ids[2], ids[1]]
    # An offset other than UTC means the same instant.
    plus_two = (now - dt.timedelta(minutes=2, seconds=30)).astimezone(
        dt.timezone(dt.timedelta(hours=2))
    )
    assert await found(startedBefore=plus_two.isoformat()) == [ids[2], ids[1], ids[0]]


async def test_cursor_pagination_visits_every_row_once(
    app: StartedApp, keys: dict[str, str]
) -> None:
    kind = _type()
    now = dt.datetime.now(dt.UTC)
    same_instant = now - dt.timedelta(seconds=30)
    rows = [execution(kind, now - dt.timedelta(seconds=i)) for i in range(7)]
    rows += [execution(kind, same_instant) for _ in range(4)]  # ties broken by id
    await insert(app, rows)
    seen: list[str] = []
    cursor = None
    pages = 0
    async with client(app, keys["viewer"]) as c:
        while True:
            params = {"connectorType": kind, "limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = (await c.get("/api/v1/executions", params=params)).json()
            pages += 1
            seen += [item["id"] for item in page["items"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
    assert pages == 4
    assert sorted(seen) == sorted(r.id for r in rows) and len(seen) == len(set(seen))
    starts = [r.started_at for r in sorted(rows, key=lambda r: (r.started_at, r.id), reverse=True)]
    assert [next(r for r in rows if r.id == i).started_at for i in seen] == starts


async def test_detail_and_missing(app: StartedApp, keys: dict[str, str]) -> None:
    row = execution(
        _type(),
        dt.datetime.now(dt.UTC),
        command="fail",
        error_code="BOOM",
        error_message="it broke",
        input={"token": "***"},
        output={"error": {"code": "BOOM"}},
        retries_after=2,
        backoff_ms=1000,
    )
    await insert(app, [row])
    async with client(app, keys["viewer"]) as c:
        detail = (await c.get(f"/api/v1/executions/{row.id}")).json()
        missing = await c.get("/api/v1/executions/00000000-0000-0000-0000-000000000000")
    assert detail["errorCode"] == "BOOM" and detail["errorMessage"] == "it broke"
    assert detail["input"] == {"token": "***"} and detail["output"] == {"error": {"code": "BOOM"}}
    assert (detail["retriesBefore"], detail["retriesAfter"], detail["backoffMs"]) == (3, 2, 1000)
    assert detail["startedAt"].endswith("Z")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"command": "explode"}, "command"),
        ({"processInstanceKey": "abc"}, "processInstanceKey"),
        ({"startedAfter": "yesterday"}, "startedAfter"),
    ],
)
async def test_bad_filters_name_the_field(
    app: StartedApp, keys: dict[str, str], params: dict, field: str
) -> None:
    async with client(app, keys["viewer"]) as c:
        response = await c.get("/api/v1/executions", params=params)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["location"], e["field"]) for e in errors] == [("query", field)]


async def test_stats_counts_and_percentiles(app: StartedApp, keys: dict[str, str]) -> None:
    kind = _type()
    now = dt.datetime.now(dt.UTC)
    rows = [
        execution(kind, now - dt.timedelta(seconds=i), duration_ms=float(i), command="complete")
        for i in range(1, 101)
    ]
    rows[0].command = "fail"
    rows[1].command = "throw_error"
    rows.append(execution(kind, now - dt.timedelta(hours=3), duration_ms=9999.0))  # outside
    await insert(app, rows)
    async with client(app, keys["viewer"]) as c:
        response = await c.get("/api/v1/stats", params={"connectorType": kind, "windowMinutes": 60})
    body = response.json()
    assert body["windowMinutes"] == 60
    [stats] = body["connectors"]
    assert stats["connectorType"] == kind and stats["total"] == 100
    assert stats["commands"] == {"complete": 98, "fail": 1, "throw_error": 1}
    assert stats["durationMs"] == pytest.approx({"p50": 50.5, "p95": 95.05, "p99": 99.01})


async def test_stats_agree_on_both_databases(database_url: str) -> None:
    """The SQL (PostgreSQL) and Python (SQLite) percentile paths give the same numbers."""
    await migrate.upgrade(database_url)
    engine = create_engine(database_url)
    kind = _type()
    now = dt.datetime.now(dt.UTC)
    durations = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6, 5.0]
    try:
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            session.add_all(
                execution(kind, now - dt.timedelta(seconds=i), duration_ms=d)
                for i, d in enumerate(durations)
            )
        async with sessions() as session:
            [found] = await repo.connector_stats(
                session, now - dt.timedelta(minutes=1), now + dt.timedelta(seconds=1), kind
            )
            minutes = await repo.per_minute(
                session, now - dt.timedelta(minutes=1), now + dt.timedelta(seconds=1), kind
            )
    finally:
        await engine.dispose()
    ordered = sorted(durations)
    assert found.percentiles_ms == pytest.approx(
        {p: repo.percentile(ordered, p) for p in repo.PERCENTILES}
    )
    assert found.percentiles_ms[0.5] == pytest.approx(3.0)
    assert sum(minutes.values()) == len(durations)
    assert all(m.tzinfo is not None and m.second == 0 for m, _ in minutes)


def test_percentile_interpolates_like_percentile_cont() -> None:
    assert repo.percentile([], 0.5) is None
    assert repo.percentile([7.0], 0.99) == 7.0
    assert repo.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert repo.percentile([10.0, 20.0], 0.95) == pytest.approx(19.5)


async def test_stats_figures_are_rounded(app: StartedApp, keys: dict[str, str]) -> None:
    # Durations with long decimal tails: percentile interpolation would hand them through.
    kind = f"test:rounded:{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC)
    durations = [1.0 / 3, 2.0 / 3, 10.0 / 7]
    await insert(
        app,
        [
            execution(kind, now - dt.timedelta(seconds=i + 1), duration_ms=d)
            for i, d in enumerate(durations)
        ],
    )
    async with client(app, keys["viewer"]) as c:
        response = await c.get("/api/v1/stats", params={"connectorType": kind})
    [stats] = response.json()["connectors"]
    for value in stats["durationMs"].values():
        assert value == round(value, 3)
    assert stats["durationMs"]["p50"] == 0.667
