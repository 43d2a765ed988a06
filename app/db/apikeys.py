"""API keys: creation, lookup by hash, listing and revocation.

A key is ``sb_`` plus 43 URL-safe characters (256 random bits), so an unsalted SHA-256 hash
is safe to store: nothing short of guessing the key finds a preimage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import ApiKeyRow

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "operator", "admin")
KEY_PREFIX = "sb_"
# A key's last use is written at most this often, so reads do not turn into writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKey:
    """An API key's public description (never the key itself)."""

    id: str
    name: str
    role: Role
    prefix: str
    origin: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def role_rank(role: str) -> int:
    """viewer < operator < admin; unknown roles rank below viewer."""
    return ROLES.index(role) if role in ROLES else -1  # type: ignore[arg-type]


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _prefix(key: str) -> str:
    return key[:10]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive UTC values
        return value.replace(tzinfo=dt.UTC)
    return value


def _public(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        role=row.role,  # type: ignore[arg-type]
        prefix=row.prefix,
        origin=row.origin,
        created_at=_utc(row.created_at),  # type: ignore[arg-type]
        last_used_at=_utc(row.last_used_at),
        revoked_at=_utc(row.revoked_at),
    )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")


async def create_key(
    sessions: async_sessionmaker[AsyncSession],
    *,
    name: str,
    role: str,
    key: str | None = None,
    origin: str = "cli",
) -> tuple[ApiKey, str]:
    """Store a new key (a fresh random one unless ``key`` is given); return it once."""
    _check_role(role)
    name = name.strip()
    if not name or len(name) > 255:
        raise ValueError("name must be 1 to 255 characters")
    key = key or generate_key()
    row = ApiKeyRow(
        id=str(uuid.uuid4()),
        name=name,
        role=role,
        key_hash=hash_key(key),
        prefix=_prefix(key),
        origin=origin,
        created_at=dt.datetime.now(dt.UTC),
    )
    async with sessions.begin() as session:
        session.add(row)
    return _public(row), key


async def ensure_key(
    sessions: async_sessionmaker[AsyncSession], *, key: str, name: str, role: str, origin: str
) -> ApiKey:
    """Store ``key`` unless a row with its hash exists (a revoked one stays revoked)."""
    existing = await _by_hash(sessions, hash_key(key))
    if existing is not None:
        return _public(existing)
    try:
        created, _ = await create_key(sessions, name=name, role=role, key=key, origin=origin)
        return created
    except IntegrityError:  # another replica stored it first
        row = await _by_hash(sessions, hash_key(key))
        if row is None:
            raise
        return _public(row)


async def _by_hash(sessions: async_sessionmaker[AsyncSession], digest: str) -> ApiKeyRow | None:
    async with sessions() as session:
        return await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest))


async def authenticate(sessions: async_sessionmaker[AsyncSession], key: str) -> ApiKey | None:
    """The active key matching ``key``, or None. Records the key's last use."""
    digest = hash_key(key)
    row = await _by_hash(sessions, digest)
    if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at:
        return None
    await _touch(sessions, row)
    return _public(row)


async def get_active(sessions: async_sessionmaker[AsyncSession], key_id: str) -> ApiKey | None:
    """The active key with this id (sessions of the admin UI refer to keys by id)."""
    async with sessions() as session:
        row = await session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return None
    return _public(row)


async def _touch(sessions: async_sessionmaker[AsyncSession], row: ApiKeyRow) -> None:
    now = dt.datetime.now(dt.UTC)
    last = _utc(row.last_used_at)
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    async with sessions.begin() as session:
        await session.execute(
            update(ApiKeyRow).where(ApiKeyRow.id == row.id).values(last_used_at=now)
        )


async def list_keys(
    sessions: async_sessionmaker[AsyncSession], *, include_revoked: bool = False
) -> list[ApiKey]:
    query = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
    if not include_revoked:
        query = query.where(ApiKeyRow.revoked_at.is_(None))
    async with sessions() as session:
        return [_public(row) for row in (await session.scalars(query)).all()]


async def revoke_key(
    sessions: async_sessionmaker[AsyncSession], key_id: str, *, exact: bool = False
) -> ApiKey | None:
    """Revoke the key with this id (unless ``exact``: or unique id prefix / name; of several
    keys with one name, the only active one); None when none matches. Raises ValueError when
    several keys match."""
    async with sessions.begin() as session:
        matches = [ApiKeyRow.id == key_id]
        if not exact:
            matches.append(ApiKeyRow.name == key_id)
        if not exact and len(key_id) >= 8:
            matches.append(ApiKeyRow.id.startswith(key_id, autoescape=True))
        rows = (await session.scalars(select(ApiKeyRow).where(or_(*matches)))).all()
        if len(rows) > 1:
            # A full id wins; otherwise a name reused after rotation means its active key.
            exact_rows = [row for row in rows if row.id == key_id]
            active = [row for row in rows if row.revoked_at is None]
            rows = exact_rows or (active if len(active) == 1 else rows)
        if len(rows) != 1:
            if len(rows) > 1:
                raise ValueError(f"{key_id!r} matches {len(rows)} keys; give the full id")
            return None
        row = rows[0]
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
        return _public(row)
