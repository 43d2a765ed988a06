"""The execution history writer: a batched, asynchronous :class:`HistorySink`.

``submit`` only puts the record on a bounded queue, so completing a job never waits for the
database. A background task writes batches with one multi-row INSERT each; while the
database is unreachable it retries the batch with exponential backoff, and records that do
not fit in the queue meanwhile are dropped and counted. A second task deletes rows older
than the retention period.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, Table, delete, insert, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import ExecutionRow
from app.inbound.history import InboundRecord
from app.runtime.model import ExecutionRecord, Fail, ThrowError

AnyRecord = ExecutionRecord | InboundRecord

logger = logging.getLogger(__name__)

_TABLE: Table = ExecutionRow.__table__  # type: ignore[assignment]
# Keep each statement under PostgreSQL's 32767 bind parameters (and SQLite's 32766).
_MAX_ROWS_PER_STATEMENT = 32_000 // len(_TABLE.columns)
_CLEANUP_CHUNK = 5_000
_STRING_LIMITS: dict[str, int] = {
    column.name: column.type.length
    for column in _TABLE.columns
    if isinstance(column.type, String) and column.type.length is not None
}


def record_to_row(record: AnyRecord) -> dict[str, Any]:
    """The ``executions`` row of one record. Strings are cut to their column sizes."""
    if isinstance(record, InboundRecord):
        return _cut(_inbound_row(record))
    outcome = record.outcome
    job = record.job
    error_code: str | None = None
    error_message: str | None = None
    retries_after: int | None = None
    backoff_ms: int | None = None
    if isinstance(outcome, Fail):
        error_code, error_message = outcome.error_code, outcome.message
        retries_after, backoff_ms = outcome.retries, outcome.backoff_ms
    elif isinstance(outcome, ThrowError):
        error_code, error_message = outcome.code, outcome.message
    row: dict[str, Any] = {
        "id": record.id,
        "source": record.source,
        "connector_type": record.connector_type,
        "job_key": job.key or None,
        "process_instance_key": job.process_instance_key or None,
        "bpmn_process_id": job.bpmn_process_id or None,
        "element_id": job.element_id or None,
        "tenant_id": job.tenant_id or None,
        "element_template_id": record.element_template_id,
        "element_template_version": record.element_template_version,
        "command": outcome.command,
        "error_code": error_code,
        "error_message": error_message,
        "retries_before": record.retries_before,
        "retries_after": retries_after,
        "backoff_ms": backoff_ms,
        "input": record.input,
        "output": record.output,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_ms": record.duration_ms,
        "worker": record.worker or None,
        "direction": "outbound",
        "http_status": None,
        "inbound_context": None,
        "process_definition_key": job.process_definition_key or None,
        "process_definition_version": job.process_definition_version or None,
        "warnings": [w.to_dict() for w in record.warnings] or None,
    }
    return _cut(row)


def _inbound_row(record: InboundRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.source,
        "connector_type": record.connector_type,
        "job_key": None,
        "process_instance_key": record.process_instance_key,
        "bpmn_process_id": record.bpmn_process_id,
        "element_id": record.element_id,
        "tenant_id": record.tenant_id,
        "element_template_id": record.element_template_id,
        "element_template_version": record.element_template_version,
        "command": record.outcome,
        "error_code": record.error_code,
        "error_message": record.error_message,
        "retries_before": None,
        "retries_after": None,
        "backoff_ms": None,
        "input": record.input,
        "output": record.output,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_ms": record.duration_ms,
        "worker": record.worker or None,
        "direction": "inbound",
        "http_status": record.http_status,
        "inbound_context": record.inbound_context,
        "process_definition_key": record.process_definition_key,
        "process_definition_version": record.process_definition_version,
        "warnings": None,
    }


def _cut(row: dict[str, Any]) -> dict[str, Any]:
    for name, length in _STRING_LIMITS.items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > length:
            row[name] = value[:length]
    return row


def _is_transient(error: BaseException) -> bool:
    """Whether the error means "database unreachable" (retry) rather than "bad data"."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)
    return isinstance(
        error,
        OSError | ConnectionError | TimeoutError | sa_exc.TimeoutError | sa_exc.InterfaceError,
    )


class HistoryWriter:
    """Writes execution records to the ``executions`` table in batches.

    Counters for metrics: :attr:`queue_depth`, :attr:`dropped` (queue full, or unwritten at
    shutdown), :attr:`failed` (rejected by the database as invalid), :attr:`written`;
    :attr:`database_available` is false while writes fail for connectivity reasons.

    ``submit`` must be called from the event loop's thread.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        queue_size: int = 10_000,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        retry_initial: float = 0.1,
        retry_max: float = 30.0,
        retention_days: int = 30,
        cleanup_interval: float = 3600.0,
    ) -> None:
        if queue_size < 1 or batch_size < 1:
            raise ValueError("queue_size and batch_size must be >= 1")
        self._engine = engine
        self._queue: asyncio.Queue[AnyRecord] = asyncio.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._retention_days = retention_days
        self._cleanup_interval = cleanup_interval
        self._writer: asyncio.Task[None] | None = None
        self._cleaner: asyncio.Task[None] | None = None
        self._inflight = 0
        # The writer sleeps until the flush deadline unless a full batch is waiting or the
        # writer is stopping: submit() and stop() wake it through this event.
        self._wakeup = asyncio.Event()
        self._needed = batch_size
        self._stopping = False
        # Read-your-own-writes for test invocations: records accepted into the queue and
        # records the writer has finished with (written, rejected or dropped), in queue order.
        self._accepted = 0
        self._settled = 0
        self._settled_changed = asyncio.Event()
        self._flush_upto = 0  # someone waits for the records up to this count
        self.dropped = 0
        self.failed = 0
        self.written = 0
        self.deleted = 0
        self.database_available = True
        self.last_error: str | None = None

    @classmethod
    def from_settings(cls, engine: AsyncEngine, settings: Any) -> HistoryWriter:
        return cls(
            engine,
            queue_size=settings.history_queue_size,
            batch_size=settings.history_batch_size,
            flush_interval=settings.history_flush_interval_seconds,
            retry_max=settings.history_retry_max_seconds,
            retention_days=settings.history_retention_days,
            cleanup_interval=settings.history_cleanup_interval_seconds,
        )

    @property
    def queue_depth(self) -> int:
        """Records waiting to be written, including the batch being written."""
        return self._queue.qsize() + self._inflight

    @property
    def running(self) -> bool:
        return self._writer is not None and not self._writer.done()

    # -- HistorySink ----------------------------------------------------------------------

    def submit(self, record: AnyRecord) -> None:
        """Queue ``record``; never blocks, never raises. A full queue drops it (counted)."""
        try:
            self._queue.put_nowait(record)
            self._accepted += 1
            if self._queue.qsize() >= self._needed:
                self._wakeup.set()
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.warning(
                    "execution history queue is full: %d record(s) dropped so far", self.dropped
                )
        except Exception:  # a sink never raises
            self.dropped += 1

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the writer and (if retention is on) the cleanup task."""
        if self.running:
            return
        self._stopping = False
        self._writer = asyncio.create_task(self._write_loop(), name="history-writer")
        if self._retention_days > 0:
            self._cleaner = asyncio.create_task(self._cleanup_loop(), name="history-cleanup")

    async def stop(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 (lifespan API)
        """Write what is queued within ``timeout`` seconds, then stop.

        Records still unwritten after that are counted in :attr:`dropped`.
        """
        if self._cleaner is not None:
            self._cleaner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._cleaner
            self._cleaner = None
        if self._writer is None:
            return
        self._stopping = True
        self._wakeup.set()
        if not self._writer.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout)
        # Counted before cancelling: nothing runs between this line and the cancel.
        lost = self._inflight + self._queue.qsize()
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        self._writer = None
        if lost:
            self.dropped += lost
            logger.warning("execution history: %d record(s) not written at shutdown", lost)
        self._inflight = 0
        # A fresh queue: the cancelled writer may have left unfinished-task counts behind.
        self._queue = asyncio.Queue(maxsize=self._queue.maxsize)
        self._settled = self._flush_upto = self._accepted

    # -- writing --------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        while True:
            batch = await self._next_batch()
            try:
                await self._write_batch(batch)
            finally:
                self._inflight = 0
                for _ in batch:
                    self._queue.task_done()
                self._settled += len(batch)
                self._settled_changed.set()

    async def persisted(self, timeout: float = 2.0) -> bool:  # noqa: ASYNC109
        """Wait until every record submitted so far has been dealt with by the writer (written
        to the database, unless it was rejected as invalid), at most ``timeout`` seconds; the
        writer takes them at once instead of at the next flush. False on timeout (the
        database is down, say): the records stay queued, nothing is lost. The REST test
        invocation calls this before answering, so its execution can be read at once."""
        mark = self._accepted
        if self._settled >= mark or not self.running:
            return self._settled >= mark
        self._flush_upto = max(self._flush_upto, mark)
        self._wakeup.set()
        try:
            async with asyncio.timeout(timeout):
                while self._settled < mark:
                    self._settled_changed.clear()
                    await self._settled_changed.wait()
        except TimeoutError:
            return False
        return True

    async def _next_batch(self) -> list[AnyRecord]:
        batch = [await self._queue.get()]
        self._inflight = 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._flush_interval
        while True:
            while len(batch) < self._batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._inflight = len(batch)
            remaining = deadline - loop.time()
            if len(batch) >= self._batch_size or self._stopping or self._flush_upto > self._settled:
                break
            if remaining <= 0:
                break
            self._needed = self._batch_size - len(batch)
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._needed = self._batch_size
        return batch

    async def _write_batch(self, batch: Sequence[AnyRecord]) -> None:
        rows = []
        for record in batch:
            try:
                rows.append(record_to_row(record))
            except Exception:
                self.failed += 1
                logger.exception("execution record %s cannot be stored", record.id)
        delay = self._retry_initial
        while rows:
            try:
                await self._insert(rows)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not _is_transient(error):
                    await self._insert_one_by_one(rows)
                    return
                self._mark_unavailable(error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            self._mark_available()
            self.written += len(rows)
            return

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        async with self._engine.begin() as connection:
            for start in range(0, len(rows), _MAX_ROWS_PER_STATEMENT):
                chunk = rows[start : start + _MAX_ROWS_PER_STATEMENT]
                # executemany form: the statement compiles once (cached); a multi-VALUES
                # .values(chunk) recompiles every row's binds and costs ~2 ms of loop CPU per row.
                await connection.execute(insert(_TABLE), chunk)

    async def _insert_one_by_one(self, rows: list[dict[str, Any]]) -> None:
        """A batch the database rejected: store the rows that are valid, count the others."""
        for row in rows:
            try:
                await self._insert([row])
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if _is_transient(error):
                    # Connectivity went away mid-way: the rest is lost with this batch.
                    self._mark_unavailable(error)
                    self.dropped += 1
                    continue
                self.failed += 1
                logger.error(
                    "execution record %s rejected by the database: %s",
                    row["id"],
                    type(error).__name__,
                )
            else:
                self.written += 1

    def _mark_unavailable(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {_first_line(error)}"
        if self.database_available:
            logger.warning(
                "execution history: database unavailable, retrying (%s)", self.last_error
            )
        self.database_available = False

    def _mark_available(self) -> None:
        if not self.database_available:
            logger.info("execution history: database available again")
        self.database_available = True

    # -- retention ------------------------------------------------------------------------

    async def cleanup_once(self, now: dt.datetime | None = None) -> int:
        """Delete rows that started more than the retention period ago; return how many."""
        if self._retention_days <= 0:
            return 0
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=self._retention_days)
        total = 0
        while True:
            old = select(_TABLE.c.id).where(_TABLE.c.started_at < cutoff).limit(_CLEANUP_CHUNK)
            async with self._engine.begin() as connection:
                result = await connection.execute(
                    delete(_TABLE).where(_TABLE.c.id.in_(old.scalar_subquery()))
                )
            count = result.rowcount or 0
            total += count
            if count < _CLEANUP_CHUNK:
                break
        self.deleted += total
        if total:
            logger.info("execution history: deleted %d record(s) older than %s", total, cutoff)
        return total

    async def _cleanup_loop(self) -> None:
        while True:
            try:
                await self.cleanup_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning(
                    "execution history cleanup failed: %s: %s",
                    type(error).__name__,
                    _first_line(error),
                )
            await asyncio.sleep(self._cleanup_interval)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else ""
