"""Run Alembic migrations programmatically, serialised across replicas.

On PostgreSQL a session-level advisory lock makes concurrent ``switchboard migrate``
processes (many replicas starting at once) run one after the other; the later ones
find the schema at head and do nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.db.session import create_engine

# Arbitrary constant shared by every Switchboard process: "SWBD" in ASCII.
ADVISORY_LOCK_KEY = 0x53574244


class MigrationsNotFoundError(RuntimeError):
    pass


def migrations_dir() -> Path:
    """SWITCHBOARD_MIGRATIONS_DIR, else ./migrations, else the source checkout's."""
    candidates = []
    if configured := os.environ.get("SWITCHBOARD_MIGRATIONS_DIR"):
        candidates.append(Path(configured))
    candidates.append(Path.cwd() / "migrations")
    candidates.append(Path(__file__).resolve().parents[2] / "migrations")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise MigrationsNotFoundError(
        "Alembic migrations not found; set SWITCHBOARD_MIGRATIONS_DIR to the migrations directory"
    )


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config).get_current_head()


async def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, lambda c: command.upgrade(_config(c), revision))


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, lambda c: command.downgrade(_config(c), revision))


async def _run(url: str, action) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                await connection.execute(
                    text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                await connection.commit()
            try:
                await connection.run_sync(action)
                await connection.commit()
            finally:
                if postgres:
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                    await connection.commit()
    finally:
        await engine.dispose()
