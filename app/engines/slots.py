"""A worker's limit of jobs running at once and its stop signal, shared by every engine's
poll loops: the loops wait for a free slot and pause between attempts, and every such wait
ends as soon as the worker stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any


class JobSlots:
    """At most ``limit`` jobs at once; :meth:`wait_for_room` and :meth:`pause` return early
    once :meth:`stop` is called.

    The worker keeps its own collection of running jobs and reports its size through
    :meth:`update` after each start and finish.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stopping = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()

    def update(self, running: int) -> None:
        """``running`` jobs run now: room while below the limit."""
        if running >= self.limit:
            self._room.clear()
        else:
            self._room.set()

    async def wait_for_room(self) -> None:
        """Return once a slot is free or the worker stops."""
        if self._room.is_set():
            return
        stop = asyncio.ensure_future(self.stopping.wait())
        room = asyncio.ensure_future(self._room.wait())
        try:
            await asyncio.wait({stop, room}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            room.cancel()

    async def pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when the worker stops meanwhile."""
        # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.stopping.wait()

    def stop(self) -> None:
        self.stopping.set()

    @property
    def stopped(self) -> bool:
        return self.stopping.is_set()


class TaskSlots(JobSlots):
    """:class:`JobSlots` that also keeps the running jobs' tasks (``running``) and counts
    the finished ones."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.running: set[asyncio.Task[None]] = set()
        self.finished = 0
        # Jobs can arrive past the limit: a poll answered for the slots that were free when
        # it was sent while the job stream filled some of them. Those wait here, so no more
        # than ``limit`` ever run at once.
        self._gate = asyncio.Semaphore(max(limit, 1))

    def start(self, job: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run ``job`` in a task of its own, in one slot until it ends (waiting for a slot
        first when ``limit`` jobs run already)."""
        task = asyncio.create_task(self._gated(job), name=name)
        self.running.add(task)
        self.update(len(self.running))
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.running.discard(task)
        self.finished += 1
        self.update(len(self.running))

    async def _gated(self, job: Coroutine[Any, Any, None]) -> None:
        try:
            await self._gate.acquire()
        except BaseException:
            job.close()  # cancelled before it could start: it never runs
            raise
        try:
            await job
        finally:
            self._gate.release()
