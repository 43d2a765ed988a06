"""Where execution records go: the :class:`HistorySink` protocol and two simple sinks.

The database-backed, batched sink lives in ``app.db.history``.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol, runtime_checkable

from app.runtime.model import ExecutionRecord

TRUNCATED_KEY = "_truncated"


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


def json_size(value: Any) -> int:
    """Size in bytes of ``value`` serialised as compact UTF-8 JSON."""
    return len(dumps(value).encode("utf-8"))


def dumps(value: Any) -> str:
    """Compact JSON; values JSON cannot express are rendered with ``str``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def cap_payload(value: Any, limit: int) -> Any:
    """``value`` itself if its JSON fits in ``limit`` bytes, else a truncation marker.

    The marker is ``{"_truncated": true, "originalBytes": N, "preview": "<JSON prefix>"}``,
    whose own JSON stays within ``limit`` bytes (for any limit of at least 128).
    """
    text = dumps(value)
    size = len(text.encode("utf-8"))
    if size <= limit:
        return value
    budget = max(limit - 96, 0)
    preview = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    marker = {TRUNCATED_KEY: True, "originalBytes": size, "preview": preview}
    # JSON escaping can grow the preview; shrink until the marker fits.
    while preview and json_size(marker) > limit:
        preview = preview[: max(len(preview) - max(len(preview) // 8, 16), 0)]
        marker["preview"] = preview
    return marker
