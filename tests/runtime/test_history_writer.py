"""The batched history writer against real PostgreSQL (own schema) and SQLite files."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.history import HistoryWriter, record_to_row
from app.db.models import ExecutionRow
from app.db.session import create_engine
from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, ExecutionRecord, Fail, Job, ThrowError
from app.runtime.secrets_hook import StaticSecretResolver
from connectors.echo import echo
from connectors.sdk.context import JobInfo
from tests.conftest import POSTGRES_URL
from tests.support.waiting import eventually

pytestmark = pytest.mark.db

SCHEMA = "runtime_history_test"
TABLE = ExecutionRow.__table__
SECRET = "hunter2-secret-value"


async def _prepare(engine: AsyncEngine, postgres: bool) -> AsyncEngine:
    if postgres:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine = engine.execution_options(schema_translate_map={None: SCHEMA})
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: TABLE.create(c))
    return engine


@pytest.fixture(params=["postgresql", "sqlite"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    postgres = request.param == "postgresql"
    url = POSTGRES_URL if postgres else f"sqlite+aiosqlite:///{tmp_path / 'history.db'}"
    base = create_engine(url)
    try:
        yield await _prepare(base, postgres)
    finally:
        if postgres:
            async with base.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await base.dispose()


async def count_rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(TABLE))).scalar_one()


async def all_rows(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(TABLE))).mappings().all()
    return {row["connector_type"] + ":" + row["command"]: dict(row) for row in rows}


def record(**changes: Any) -> ExecutionRecord:
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "source": "rest",
        "connector_type": "t:1",
        "outcome": Complete({"a": 1}),
        "job": JobInfo(type="t:1"),
        "input": {"in": 1},
        "output": {"a": 1},
        "started_at": now,
        "finished_at": now,
        "duration_ms": 1.5,
        "retries_before": 3,
    }
    values.update(changes)
    return ExecutionRecord(**values)


async def test_runtime_records_are_written(engine: AsyncEngine) -> None:
    writer = HistoryWriter(engine, flush_interval=0.05)
    await writer.start()
    runtime = ConnectorRuntime(
        {echo.type: echo}, secrets=StaticSecretResolver({"PW": SECRET}), history=writer
    )
    try:
        await runtime.execute(
            Job.create(
                type=echo.type,
                variables={"a": 1, "pw": "{{secrets.PW}}"},
                custom_headers={
                    "resultVariable": "r",
                    "elementTemplateId": "io.x.T",
                    "elementTemplateVersion": "2",
                },
                key=123,
                process_instance_key=456,
                bpmn_process_id="order",
                element_id="call",
                worker="w-1",
            )
        )
        await runtime.execute(
            Job.create(
                type=echo.type,
                variables={"fail_code": "E42", "fail_message": "bad {{secrets.PW}}"},
                custom_headers={"retryBackoff": "PT2S"},
                retries=2,
            ),
            source="rest",
        )
        await runtime.execute(
            Job.create(
                type=echo.type,
                variables={"x": 1},
                custom_headers={"errorExpression": '=bpmnError("B1", "thrown")'},
            ),
            source="cli",
        )
        await eventually(lambda: writer.written == 3)
    finally:
        await writer.stop()
        runtime.close()
    rows = await all_rows(engine)
    assert set(rows) == {
        "switchboard:echo:1:complete",
        "switchboard:echo:1:fail",
        "switchboard:echo:1:throw_error",
    }
    complete = rows["switchboard:echo:1:complete"]
    assert complete["source"] == "zeebe"
    assert complete["job_key"] == 123
    assert complete["process_instance_key"] == 456
    assert complete["bpmn_process_id"] == "order"
    assert complete["element_id"] == "call"
    assert complete["tenant_id"] == "<default>"
    assert complete["element_template_id"] == "io.x.T"
    assert complete["element_template_version"] == "2"
    assert complete["worker"] == "w-1"
    assert complete["input"] == {"a": 1, "pw": "{{secrets.PW}}"}
    assert complete["output"] == {"r": {"a": 1, "pw": "***"}}
    assert complete["retries_before"] == 3
    assert complete["retries_after"] is None
    assert complete["error_code"] is None
    assert complete["duration_ms"] >= 0
    fail = rows["switchboard:echo:1:fail"]
    assert fail["source"] == "rest"
    assert fail["job_key"] is None
    assert fail["error_code"] == "E42"
    assert fail["error_message"] == "bad ***"
    assert (fail["retries_before"], fail["retries_after"], fail["backoff_ms"]) == (2, 1, 2000)
    assert fail["output"]["error"]["message"] == "bad ***"
    thrown = rows["switchboard:echo:1:throw_error"]
    assert (thrown["source"], thrown["error_code"], thrown["error_message"]) == (
        "cli",
        "B1",
        "thrown",
    )
    assert SECRET not in repr(rows)


async def test_one_insert_per_batch(engine: AsyncEngine) -> None:
    inserts: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(1)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    writer = HistoryWriter(engine, batch_size=500, flush_interval=0.2)
    try:
        for _ in range(1200):
            writer.submit(record())
        assert writer.queue_depth == 1200
        await writer.start()
        await eventually(lambda: writer.written == 1200)
    finally:
        await writer.stop()
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(inserts) == 3
    assert await count_rows(engine) == 1200
    assert writer.queue_depth == 0


async def test_partial_batch_flushed_after_interval(engine: AsyncEngine) -> None:
    writer = HistoryWriter(engine, batch_size=500, flush_interval=0.05)
    await writer.start()
    try:
        writer.submit(record())
        await eventually(lambda: writer.written == 1, within=5)
    finally:
        await writer.stop()


async def test_queue_overflow_is_counted(engine: AsyncEngine) -> None:
    writer = HistoryWriter(engine, queue_size=5)
    for _ in range(8):
        writer.submit(record())
    assert (writer.queue_depth, writer.dropped) == (5, 3)
    await writer.start()
    await writer.stop(timeout=10)
    assert writer.written == 5
    assert await count_rows(engine) == 5


async def test_stop_flushes_queued_records(engine: AsyncEngine) -> None:
    writer = HistoryWriter(engine, flush_interval=10)
    await writer.start()
    for _ in range(10):
        writer.submit(record())
    await writer.stop(timeout=10)
    assert writer.written == 10
    assert writer.dropped == 0
    assert await count_rows(engine) == 10


async def test_rejected_row_does_not_lose_the_batch(engine: AsyncEngine) -> None:
    first = record()
    writer = HistoryWriter(engine, flush_interval=0.01)
    writer.submit(first)
    await writer.start()
    await eventually(lambda: writer.written == 1)
    # A duplicate primary key makes the multi-row INSERT fail; the other rows still land.
    for item in (record(), record(id=first.id), record()):
        writer.submit(item)
    await writer.stop(timeout=10)
    assert (writer.written, writer.failed, writer.dropped) == (3, 1, 0)
    assert await count_rows(engine) == 3


async def test_long_strings_are_cut_to_column_size(engine: AsyncEngine) -> None:
    writer = HistoryWriter(engine)
    outcome = Fail(message="m" * 10_000, retries=0, error_code="C" * 1000)
    writer.submit(record(outcome=outcome, output={}, worker="w" * 1000))
    await writer.start()
    await writer.stop(timeout=10)
    assert writer.written == 1
    row = next(iter((await all_rows(engine)).values()))
    assert row["error_code"] == "C" * 255
    assert row["error_message"] == "m" * 10_000
    assert len(row["worker"]) == 255


async def test_retention_cleanup(engine: AsyncEngine) -> None:
    now = dt.datetime.now(dt.UTC)
    old = now - dt.timedelta(days=31)
    writer = HistoryWriter(engine, retention_days=30)
    for started in (old, old, now - dt.timedelta(days=29), now):
        writer.submit(record(started_at=started, finished_at=started))
    writer.submit(record(outcome=ThrowError("X"), started_at=old, finished_at=old))
    await writer.start()  # the cleanup task runs at start too; count via cleanup_once below
    await eventually(lambda: writer.written == 5)
    await writer.cleanup_once(now)
    await writer.stop(timeout=10)
    assert await count_rows(engine) == 2
    assert writer.deleted >= 3


async def test_retention_zero_keeps_everything(engine: AsyncEngine) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=10_000)
    writer = HistoryWriter(engine, retention_days=0)
    writer.submit(record(started_at=old, finished_at=old))
    await writer.start()
    await writer.stop(timeout=10)
    assert await writer.cleanup_once() == 0
    assert await count_rows(engine) == 1


def test_record_to_row_zero_keys_become_null() -> None:
    row = record_to_row(record(job=JobInfo(type="t", bpmn_process_id="", key=0)))
    assert row["job_key"] is None
    assert row["bpmn_process_id"] is None
    assert row["command"] == "complete"


# -- database down: a real TCP proxy in front of PostgreSQL that we can switch off ---------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proxy:
    """Forwards 127.0.0.1:port to PostgreSQL while running."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._pipes):
            task.cancel()
        for task in list(self._pipes):
            with contextlib.suppress(BaseException):
                await task

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 5432)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            finally:
                dst.close()

        for task in (
            asyncio.create_task(pipe(reader, up_writer)),
            asyncio.create_task(pipe(up_reader, writer)),
        ):
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)


async def test_writer_retries_while_postgres_is_down() -> None:
    base = create_engine(POSTGRES_URL)
    engine = await _prepare(base, postgres=True)
    port = _free_port()
    proxy = Proxy(port)
    proxied_url = POSTGRES_URL.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    assert proxied_url != POSTGRES_URL
    proxied = create_engine(proxied_url).execution_options(schema_translate_map={None: SCHEMA})
    writer = HistoryWriter(proxied, flush_interval=0.01, retry_initial=0.02, retry_max=0.1)
    try:
        await writer.start()
        for _ in range(3):
            writer.submit(record())
        await eventually(lambda: not writer.database_available)
        assert writer.last_error
        assert writer.written == 0
        assert writer.queue_depth == 3
        await proxy.start()
        await eventually(lambda: writer.written == 3)
        assert writer.database_available
        assert await count_rows(engine) == 3
    finally:
        await writer.stop(timeout=2)
        await proxy.stop()
        await proxied.dispose()
        async with base.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await base.dispose()


async def test_stop_while_database_down_counts_unwritten() -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/x")
    writer = HistoryWriter(engine, flush_interval=0.01, retry_initial=0.02, retry_max=0.05)
    try:
        await writer.start()
        for _ in range(4):
            writer.submit(record())
        await eventually(lambda: not writer.database_available)
        await writer.stop(timeout=0.2)
        assert writer.dropped == 4
        assert writer.written == 0
        assert writer.queue_depth == 0
    finally:
        await engine.dispose()


async def test_from_settings_and_restart(engine: AsyncEngine) -> None:
    from app.settings import load_settings

    writer = HistoryWriter.from_settings(engine, load_settings())
    assert writer.queue_depth == 0
    await writer.start()
    writer.submit(record())
    await writer.stop(timeout=10)
    await writer.start()
    writer.submit(record())
    await writer.stop(timeout=10)
    assert (writer.written, writer.dropped) == (2, 0)
    assert await count_rows(engine) == 2
