"""A small TTL cache of resolved values, keyed by (tenant, process, name)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

Key = tuple[str, str, str]


class TTLCache:
    """Values expire ``ttl`` seconds after they were stored; at most ``max_entries`` are kept."""

    def __init__(
        self,
        ttl: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[Key, tuple[float, str]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def get(self, key: Key) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Key, value: str) -> None:
        if not self.enabled:
            return
        self._entries[key] = (self._clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def invalidate(self, name: str | None = None) -> None:
        """Forget ``name`` in every tenant and process (or everything)."""
        if name is None:
            self._entries.clear()
            return
        for key in [k for k in self._entries if k[2] == name]:
            del self._entries[key]
