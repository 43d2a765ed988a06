"""Which connector types are paused: the state every engine's workers consult before they
take more jobs of a type.

Pausing stops *taking* jobs (no more activations, job streams closed so the gateway hands
pushed jobs to other workers); jobs already running finish and send their outcome. The
state is kept in the database (``app.db.controls``) and followed by every replica; this
object is the in-process copy the workers read without touching the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


class PausedTypes:
    """The set of paused job types, with a way for a worker to wait for its type to resume
    (or to be paused)."""

    def __init__(self, paused: Iterable[str] = ()) -> None:
        self._paused: set[str] = set(paused)
        # Replaced on every change, the old one set: a waiter takes the current event in
        # the same step as it checks the state, so no change can slip between the two.
        self._changed = asyncio.Event()

    def is_paused(self, job_type: str) -> bool:
        return job_type in self._paused

    def snapshot(self) -> frozenset[str]:
        return frozenset(self._paused)

    def replace(self, paused: Iterable[str]) -> None:
        """Set the whole state (as read from the database); wakes waiting workers when it
        changed."""
        new = set(paused)
        if new != self._paused:
            self._paused = new
            self._notify()

    def set(self, job_type: str, paused: bool) -> None:
        """Pause or resume one type in this process at once (the API's own change, before
        the next refresh)."""
        if paused != (job_type in self._paused):
            if paused:
                self._paused.add(job_type)
            else:
                self._paused.discard(job_type)
            self._notify()

    def changes(self) -> asyncio.Event:
        """An event set at the next change of the state."""
        return self._changed

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_until(self, job_type: str, *, paused: bool, stopping: asyncio.Event) -> None:
        """Return once ``job_type`` is paused (``paused=True``) or running (``False``), or
        ``stopping`` is set."""
        while self.is_paused(job_type) != paused and not stopping.is_set():
            await first_of(self._changed, stopping)


async def first_of(*events: asyncio.Event) -> None:
    """Wait until any of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
