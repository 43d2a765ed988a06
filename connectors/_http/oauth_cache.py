"""A cache of OAuth access tokens shared by all jobs, keyed by a digest of the configuration."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# Tokens are dropped this long before the expiry the token endpoint announced.
EXPIRY_MARGIN_SECONDS = 10.0
MAX_ENTRIES = 1000


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    expires_in: float | None = None


@dataclass
class _Entry:
    token: str = field(repr=False)
    expires_at: float


def cache_key(*parts: str | None) -> str:
    """A SHA-256 digest of the configuration, so credentials never serve as dictionary keys."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode())
        digest.update(b"\0")
    return digest.hexdigest()


class TokenCache:
    """Tokens with an ``expires_in`` are kept until shortly before they expire; tokens
    without one are not cached. Concurrent jobs with the same configuration share one fetch."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _valid(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > self._clock():
            return entry.token
        return None

    async def get_or_fetch(self, key: str, fetch: Callable[[], Awaitable[TokenResponse]]) -> str:
        token = self._valid(key)
        if token is not None:
            return token
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            token = self._valid(key)
            if token is not None:
                return token
            response = await fetch()
            if response.expires_in is not None:
                ttl = response.expires_in - EXPIRY_MARGIN_SECONDS
                if ttl > 0:
                    self._store(key, _Entry(response.access_token, self._clock() + ttl))
            return response.access_token

    def invalidate(self, key: str) -> None:
        self._entries.pop(key, None)

    def _store(self, key: str, entry: _Entry) -> None:
        self._entries[key] = entry
        if len(self._entries) > MAX_ENTRIES:
            now = self._clock()
            for stale in [k for k, e in self._entries.items() if e.expires_at <= now]:
                del self._entries[stale]
            while len(self._entries) > MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
            for orphan in [k for k in self._locks if k not in self._entries and k != key]:
                lock = self._locks[orphan]
                if not lock.locked():
                    del self._locks[orphan]
