"""Following a connector type's pause (``app.runtime.control.PausedTypes``) in a worker that
takes that type's jobs: wait out a pause before taking more, and cut short what is in flight
when the pause begins."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from app.runtime.control import PausedTypes


async def wait_resumed(paused: PausedTypes | None, job_type: str, stopping: asyncio.Event) -> None:
    """Return at once unless ``job_type`` is paused; then once it resumes or ``stopping``
    is set."""
    if paused is not None and paused.is_paused(job_type):
        await paused.wait_until(job_type, paused=False, stopping=stopping)


async def watch_pause(
    paused: PausedTypes | None,
    job_type: str,
    stopping: asyncio.Event,
    *,
    on_pause: Callable[[], None],
    log: logging.Logger,
    running: Callable[[], int] | None = None,
) -> None:
    """Until ``stopping`` is set: each time ``job_type`` is paused call ``on_pause`` (which
    cancels the worker's requests in flight), then wait for the resume. Running jobs finish
    as usual; ``running`` (their count) is named in the log line when given."""
    if paused is None:
        return
    while not stopping.is_set():
        await paused.wait_until(job_type, paused=True, stopping=stopping)
        if stopping.is_set():
            return
        if running is None:
            log.info("%s paused: taking no more jobs", job_type)
        else:
            log.info("%s paused: taking no more jobs (%d running will finish)", job_type, running())
        on_pause()
        await paused.wait_until(job_type, paused=False, stopping=stopping)
        if not stopping.is_set():
            log.info("%s resumed: taking jobs again", job_type)
