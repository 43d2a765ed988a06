"""Persist the discovered connectors so listings show what each replica runs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import ConnectorRow
from connectors.sdk import OutboundConnector

log = logging.getLogger("switchboard.db")


def input_schema(connector: OutboundConnector) -> dict | None:
    if connector.input_model is None:
        return None
    try:
        return connector.input_model.model_json_schema(by_alias=True)
    except Exception as exc:  # a schema pydantic cannot render must not stop start-up
        log.warning(
            "connector %s: its input model has no JSON Schema (%s)",
            connector.type,
            type(exc).__name__,
        )
        return None


async def upsert_connectors(
    sessions: async_sessionmaker[AsyncSession],
    enabled: Iterable[OutboundConnector],
    disabled: Iterable[OutboundConnector] = (),
) -> None:
    """Insert new connectors, refresh known ones; one transaction."""
    now = dt.datetime.now(dt.UTC)
    wanted = [(c, True) for c in enabled] + [(c, False) for c in disabled]
    async with sessions.begin() as session:
        existing = {
            row.type: row
            for row in (
                await session.scalars(
                    select(ConnectorRow).where(ConnectorRow.type.in_([c.type for c, _ in wanted]))
                )
            ).all()
        }
        for connector, is_enabled in wanted:
            row = existing.get(connector.type)
            if row is None:
                row = ConnectorRow(type=connector.type, first_seen=now)
                session.add(row)
            row.name = connector.name
            row.version = connector.version
            row.source = connector.source
            row.input_schema = input_schema(connector)
            row.enabled = is_enabled
            row.last_seen = now
