"""Admin UI sessions ended server-side: a signed-out session's cookie is refused from then on,
by every replica, until it would have expired anyway."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import UiSessionRevocationRow


async def revoke(sessions: async_sessionmaker[AsyncSession], nonce: str, expires: int) -> None:
    """Refuse the session with ``nonce`` (valid until ``expires``, epoch seconds) from now on."""
    now = dt.datetime.now(dt.UTC)
    until = dt.datetime.fromtimestamp(expires, dt.UTC)
    async with sessions.begin() as session:
        await session.execute(
            delete(UiSessionRevocationRow).where(UiSessionRevocationRow.expires_at < now)
        )
        if await session.get(UiSessionRevocationRow, nonce) is None:
            session.add(UiSessionRevocationRow(nonce=nonce, expires_at=until))


async def is_revoked(sessions: async_sessionmaker[AsyncSession], nonce: str) -> bool:
    """Whether the session with ``nonce`` was signed out."""
    async with sessions() as session:
        found = await session.scalar(
            select(UiSessionRevocationRow.nonce).where(UiSessionRevocationRow.nonce == nonce)
        )
    return found is not None
