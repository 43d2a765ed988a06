"""A connector's shared resources (connection pools, clients), one set per event loop.

Pools and clients bound to an event loop cannot be shared across loops (each test, each
``asyncio.run`` has its own); the registry holds them weakly, so a finished loop's entry goes
with the loop.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["Closeable", "PerLoop"]


class Closeable(Protocol):
    async def aclose(self) -> None: ...


R = TypeVar("R", bound=Closeable)


class PerLoop(Generic[R]):
    """The resource of the running event loop, made by ``factory`` on first use."""

    def __init__(self, factory: Callable[[], R]) -> None:
        self._factory = factory
        self._resources: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, R] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> R:
        """This loop's resource, created on first use."""
        loop = asyncio.get_running_loop()
        current = self._resources.get(loop)
        if current is None:
            current = self._factory()
            self._resources[loop] = current
        return current

    async def aclose(self) -> None:
        """Close this loop's resource and forget it (idempotent)."""
        current = self._resources.pop(asyncio.get_running_loop(), None)
        if current is not None:
            await current.aclose()
