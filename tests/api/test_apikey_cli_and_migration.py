"""``switchboard apikey`` end to end, and the api_keys migration up and down."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import inspect

from app.db import migrate
from app.db.session import create_engine

ROOT = Path(__file__).resolve().parents[2]


def _cli(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SWITCHBOARD_DATABASE_URL": url,
        "SWITCHBOARD_MIGRATIONS_DIR": str(ROOT / "migrations"),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "apikey", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_create_list_revoke(tmp_path: Path, migrated: str) -> None:
    created = _cli(tmp_path, migrated, "create", "--role", "operator", "--name", "cli-test")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("sb_") and len(key) > 40
    listed = _cli(tmp_path, migrated, "list")
    line = next(ln for ln in listed.stdout.splitlines() if " cli-test " in ln)
    assert "operator" in line and key not in listed.stdout and key[:10] in line
    key_id = line.split()[0]
    revoked = _cli(tmp_path, migrated, "revoke", key_id)
    assert revoked.returncode == 0 and "Revoked key 'cli-test'" in revoked.stdout
    assert " cli-test " not in _cli(tmp_path, migrated, "list").stdout
    again = _cli(tmp_path, migrated, "revoke", "00000000-no-such-key")
    assert again.returncode == 1 and "no key matches" in again.stderr


async def test_revoke_by_name_after_rotation_picks_the_active_key(
    tmp_path: Path, migrated: str
) -> None:
    name = f"rotated-{uuid.uuid4().hex[:8]}"
    for _ in range(2):  # create, revoke by name, create again under the same name
        created = _cli(tmp_path, migrated, "create", "--role", "viewer", "--name", name)
        assert created.returncode == 0, created.stderr
        revoked = _cli(tmp_path, migrated, "revoke", name)
        assert revoked.returncode == 0, revoked.stderr
        assert f"Revoked key '{name}'" in revoked.stdout
    assert f" {name} " not in _cli(tmp_path, migrated, "list").stdout


async def test_bad_role_is_refused(tmp_path: Path, migrated: str) -> None:
    result = _cli(tmp_path, migrated, "create", "--role", "root", "--name", "x")
    assert result.returncode == 2  # argparse: --role has fixed choices
    assert "invalid choice: 'root'" in result.stderr


async def test_ensure_local_creates_a_private_key_file_once(tmp_path: Path, migrated: str) -> None:
    first = _cli(tmp_path, migrated, "ensure-local")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "admin-api-key"
    key = key_file.read_text().strip()
    assert key in first.stdout
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = _cli(tmp_path, migrated, "ensure-local")
    assert second.returncode == 0 and key not in second.stdout
    assert "var/admin-api-key" in second.stdout
    assert key_file.read_text().strip() == key
    # A key file whose key the database does not know (a new database) is replaced.
    key_file.write_text("sb_stale-key-that-was-never-stored-anywhere-000000\n")
    third = _cli(tmp_path, migrated, "ensure-local")
    fresh = key_file.read_text().strip()
    assert fresh != key and fresh in third.stdout


async def test_database_down_is_one_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, "postgresql+asyncpg://postgres@127.0.0.1:1/none", "list")
    assert result.returncode == 69  # a service did not answer (docs/cli.md)
    assert result.stderr.strip().startswith(
        "switchboard apikey: database error at postgresql+asyncpg://postgres@127.0.0.1:1/none"
    )
    assert len(result.stderr.strip().splitlines()) == 1


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_api_keys_migration_up_and_down(tmp_path: Path) -> None:
    # SQLite here; PostgreSQL runs every migration down and up in tests/foundation.
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    await migrate.upgrade(url)
    assert "api_keys" in await _tables(url)
    await migrate.downgrade(url, "0001")
    assert await migrate.current_revision(url) == "0001"
    assert "api_keys" not in await _tables(url)
    await migrate.upgrade(url)
    assert "api_keys" in await _tables(url)
