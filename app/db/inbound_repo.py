"""The inbound registrations in the database (:class:`app.inbound.model.RegistrationStore`).

Every change runs in one transaction that also bumps ``inbound_state.generation``; replicas
poll that number and reload when it moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import InboundDefinitionRow, InboundElementRow, InboundStateRow
from app.inbound.bpmn import InboundElementSpec
from app.inbound.model import DefinitionOrigin, DefinitionRef, DefinitionState, Registration


class DatabaseRegistrationStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def generation(self) -> int:
        async with self.sessions() as session:
            value = await session.scalar(
                select(InboundStateRow.generation).where(InboundStateRow.id == 1)
            )
        return int(value or 0)

    async def load(self) -> list[DefinitionState]:
        async with self.sessions() as session:
            definitions = (await session.scalars(select(InboundDefinitionRow))).all()
            elements = (
                await session.scalars(select(InboundElementRow).order_by(InboundElementRow.id))
            ).all()
        by_key: dict[int, list[InboundElementRow]] = {}
        for element in elements:
            by_key.setdefault(element.process_definition_key, []).append(element)
        states = []
        for row in sorted(definitions, key=lambda r: r.process_definition_key):
            ref = DefinitionRef(
                row.process_definition_key,
                row.bpmn_process_id,
                row.version,
                row.tenant_id,
                row.resource_name,
            )
            origin: DefinitionOrigin = "discovery" if row.origin == "discovery" else "deployment"
            registrations = tuple(
                Registration(ref, _spec(e), origin, row.registered_at)
                for e in by_key.get(row.process_definition_key, [])
            )
            states.append(DefinitionState(ref, registrations, row.has_subscriptions, origin))
        return states

    async def save_definitions(
        self, definitions: Sequence[tuple[DefinitionRef, Sequence[Registration]]]
    ) -> int:
        now = dt.datetime.now(dt.UTC)
        async with self.sessions.begin() as session:
            for ref, registrations in definitions:
                key = ref.process_definition_key
                await session.execute(
                    delete(InboundElementRow).where(InboundElementRow.process_definition_key == key)
                )
                await session.execute(
                    delete(InboundDefinitionRow).where(
                        InboundDefinitionRow.process_definition_key == key
                    )
                )
                origin = registrations[0].origin if registrations else "deployment"
                session.add(
                    InboundDefinitionRow(
                        process_definition_key=key,
                        bpmn_process_id=ref.bpmn_process_id,
                        version=ref.version,
                        tenant_id=ref.tenant_id,
                        resource_name=ref.resource_name[:1024],
                        origin=origin,
                        has_subscriptions=None,
                        registered_at=now,
                    )
                )
                await session.flush()
                for registration in registrations:
                    element = registration.element
                    session.add(
                        InboundElementRow(
                            process_definition_key=key,
                            element_id=element.element_id,
                            kind=element.kind,
                            connector_type=element.connector_type,
                            element_name=element.element_name,
                            message_name=element.message_name,
                            attached_to=element.attached_to,
                            template_id=element.template_id,
                            template_version=element.template_version,
                            webhook_path=(element.properties.get("inbound.context") or None),
                            properties=dict(element.properties),
                        )
                    )
            return await _bump(session)

    async def set_subscriptions(
        self, keys_with: set[int] | None, origins: Collection[DefinitionOrigin]
    ) -> int:
        async with self.sessions.begin() as session:
            rows = (
                await session.scalars(
                    select(InboundDefinitionRow).where(InboundDefinitionRow.origin.in_(origins))
                )
            ).all()
            changed = False
            for row in rows:
                value = None if keys_with is None else row.process_definition_key in keys_with
                if row.has_subscriptions != value:
                    row.has_subscriptions = value
                    changed = True
            if not changed:
                generation = await session.scalar(
                    select(InboundStateRow.generation).where(InboundStateRow.id == 1)
                )
                return int(generation or 0)
            return await _bump(session)

    async def remove_definitions(self, keys: Sequence[int]) -> int:
        async with self.sessions.begin() as session:
            await session.execute(
                delete(InboundElementRow).where(
                    InboundElementRow.process_definition_key.in_(list(keys))
                )
            )
            await session.execute(
                delete(InboundDefinitionRow).where(
                    InboundDefinitionRow.process_definition_key.in_(list(keys))
                )
            )
            return await _bump(session)


async def _bump(session: AsyncSession) -> int:
    result = await session.execute(
        update(InboundStateRow)
        .where(InboundStateRow.id == 1)
        .values(generation=InboundStateRow.generation + 1)
        .returning(InboundStateRow.generation)
    )
    value = result.scalar_one_or_none()
    if value is None:  # a database migrated without the seed row
        session.add(InboundStateRow(id=1, generation=1))
        return 1
    return int(value)


def _spec(row: InboundElementRow) -> InboundElementSpec:
    return InboundElementSpec(
        element_id=row.element_id,
        kind=row.kind,  # type: ignore[arg-type]
        properties={str(k): str(v) for k, v in (row.properties or {}).items()},
        element_name=row.element_name,
        message_name=row.message_name,
        attached_to=row.attached_to,
        template_id=row.template_id,
        template_version=row.template_version,
    )
