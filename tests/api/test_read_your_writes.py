"""A test invocation's execution can be read as soon as the invoke call has answered, with no
wait, while worker jobs keep the batched writer (issue 19: read your own writes)."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import create_async_engine

from app.db.history import HistoryWriter
from tests.api.harness import client, make_key, running_app
from tests.runtime.test_history_writer import record

ECHO = "switchboard:echo:1"


async def test_the_execution_is_readable_the_moment_invoke_answers(migrated: str) -> None:
    # A flush interval far longer than the test: without read-your-own-writes the row would
    # still be queued when the GET arrives.
    async with running_app(migrated, history_flush_interval_seconds=60) as app:
        key = await make_key(app, "operator")
        async with client(app, key) as c:
            for n in range(3):
                started = time.monotonic()
                invoked = await c.post(
                    f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"n": n}}
                )
                assert invoked.status_code == 200, invoked.text
                assert time.monotonic() - started < 5  # not the flush interval
                execution_id = invoked.json()["executionId"]
                fetched = await c.get(f"/api/v1/executions/{execution_id}")
                assert fetched.status_code == 200, fetched.text
                assert fetched.json()["input"] == {"n": n}
                listed = await c.get("/api/v1/executions", params={"limit": 5})
                assert execution_id in [e["id"] for e in listed.json()["items"]]


async def test_with_the_database_unreachable_the_wait_is_bounded_and_nothing_is_lost() -> None:
    # Nothing listens on port 1: every write fails as a connectivity error and is retried.
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    writer = HistoryWriter(engine, flush_interval=60, retry_initial=0.05, retry_max=0.1)
    await writer.start()
    try:
        writer.submit(record())
        started = time.monotonic()
        assert await writer.persisted(timeout=0.5) is False
        assert 0.4 < time.monotonic() - started < 3
        assert writer.written == 0 and writer.dropped == 0  # still held, not given up
        assert writer.database_available is False
    finally:
        await writer.stop(timeout=0.2)
        await engine.dispose()
