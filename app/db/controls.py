"""Connector controls in the database: which connector types are paused, and the task that
keeps a process's :class:`~app.runtime.control.PausedTypes` in step with it (so a pause made
through one replica is honoured by every replica within one refresh interval)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import ConnectorControlRow
from app.runtime.control import PausedTypes

log = logging.getLogger("switchboard.controls")


async def set_paused(
    sessions: async_sessionmaker[AsyncSession],
    job_type: str,
    paused: bool,
    *,
    changed_by: str | None = None,
) -> None:
    """Record that ``job_type`` is paused (or running) from now on."""
    now = dt.datetime.now(dt.UTC)
    async with sessions.begin() as session:
        row = await session.get(ConnectorControlRow, job_type, with_for_update=True)
        if row is None:
            session.add(
                ConnectorControlRow(
                    type=job_type, paused=paused, changed_at=now, changed_by=changed_by
                )
            )
        else:
            row.paused, row.changed_at, row.changed_by = paused, now, changed_by


async def paused_types(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    """Every connector type paused in the database."""
    async with sessions() as session:
        rows = await session.scalars(
            select(ConnectorControlRow.type).where(ConnectorControlRow.paused.is_(True))
        )
        return set(rows)


async def follow(
    sessions: async_sessionmaker[AsyncSession], paused: PausedTypes, interval: float
) -> None:
    """Refresh ``paused`` from the database every ``interval`` seconds until cancelled. While
    the database cannot be read the last known state stays (logged once per outage)."""
    failing = False
    while True:
        try:
            paused.replace(await paused_types(sessions))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not failing:
                log.warning(
                    "could not read connector controls (%s); keeping the last known state",
                    type(exc).__name__,
                )
            failing = True
        else:
            if failing:
                log.info("connector controls readable again")
            failing = False
        await asyncio.sleep(interval)
