"""Connections shared per target: at most ``limit`` open to one target at once, idle ones kept
for reuse for ``idle_seconds`` (checked alive before reuse), all closed by :meth:`aclose`.

A *target* is everything a connection is bound to: protocol, host, port, encryption and a
digest of the login (never the password itself as a key).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Generic, TypeVar

C = TypeVar("C")


@dataclass
class _Target(Generic[C]):
    slots: asyncio.Semaphore
    idle: list[tuple[C, float]] = field(default_factory=list)
    leased: int = 0


class Pool(Generic[C]):
    """A bounded pool of connections of one kind (SMTP clients, IMAP sessions...)."""

    def __init__(
        self,
        *,
        limit: int,
        idle_seconds: float,
        alive: Callable[[C], Awaitable[bool]],
        close: Callable[[C], Awaitable[None]],
        reuse: bool = True,
    ) -> None:
        self.limit = limit
        self.idle_seconds = idle_seconds
        self.reuse = reuse and idle_seconds > 0
        self._alive = alive
        self._close = close
        self._targets: dict[Hashable, _Target[C]] = {}
        self._closed = False

    def open_count(self, key: Hashable) -> int:
        """Connections of ``key`` leased or idle (for tests and metrics)."""
        target = self._targets.get(key)
        return 0 if target is None else target.leased + len(target.idle)

    @asynccontextmanager
    async def lease(self, key: Hashable, connect: Callable[[], Awaitable[C]]) -> AsyncIterator[C]:
        """A connection to ``key``: an idle one that is still alive, else a new one. It goes
        back to the pool when the block ends normally, and is closed when it raises."""
        if self._closed:
            raise RuntimeError("the e-mail connection pool is closed")
        await self._expire()
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = _Target(asyncio.Semaphore(self.limit))
        target.leased += 1
        try:
            async with target.slots:
                connection = await self._idle_connection(target)
                if connection is None:
                    connection = await connect()
                healthy = False
                try:
                    yield connection
                    healthy = True
                finally:
                    if healthy and self.reuse and not self._closed:
                        target.idle.append((connection, time.monotonic()))
                    else:
                        await self._quietly_close(connection)
        finally:
            target.leased -= 1
            if target.leased == 0 and not target.idle:
                self._targets.pop(key, None)

    async def aclose(self) -> None:
        """Close every idle connection; leased ones are closed when they come back."""
        self._closed = True
        targets = list(self._targets.values())
        for target in targets:
            idle, target.idle = target.idle, []
            for connection, _ in idle:
                await self._quietly_close(connection)

    async def _idle_connection(self, target: _Target[C]) -> C | None:
        while target.idle:
            connection, since = target.idle.pop()
            if time.monotonic() - since > self.idle_seconds:
                await self._quietly_close(connection)
                continue
            try:
                if await self._alive(connection):
                    return connection
            except Exception:
                pass
            await self._quietly_close(connection)
        return None

    async def _expire(self) -> None:
        now = time.monotonic()
        for key, target in list(self._targets.items()):
            keep: list[tuple[C, float]] = []
            for connection, since in target.idle:
                if now - since > self.idle_seconds:
                    await self._quietly_close(connection)
                else:
                    keep.append((connection, since))
            target.idle = keep
            if target.leased == 0 and not target.idle:
                self._targets.pop(key, None)

    async def _quietly_close(self, connection: C) -> None:
        with suppress(Exception):
            await self._close(connection)
