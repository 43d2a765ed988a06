"""Where execution records go: the :class:`HistorySink` protocol and two simple sinks.

The database-backed, batched sink lives in ``app.db.history``.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from app.runtime.model import ExecutionRecord


@runtime_checkable
class HistorySink(Protocol):
    """Receives one record per execution."""

    def submit(self, record: ExecutionRecord) -> None:
        """Accept ``record``. Must never block and never raise."""
        ...


class NullHistorySink:
    """Discards every record."""

    def submit(self, record: ExecutionRecord) -> None:
        return None


class MemoryHistorySink:
    """Keeps records in a list (tests, the CLI). Thread-safe; ``limit`` keeps the newest."""

    def __init__(self, limit: int | None = None) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._records: list[ExecutionRecord] = []

    def submit(self, record: ExecutionRecord) -> None:
        with self._lock:
            self._records.append(record)
            if self._limit is not None and len(self._records) > self._limit:
                del self._records[: len(self._records) - self._limit]

    @property
    def records(self) -> list[ExecutionRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
