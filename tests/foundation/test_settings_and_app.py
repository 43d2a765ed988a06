from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.db import migrate
from app.main import create_app
from app.settings import Settings, SettingsError, load_settings
from tests.support.app import started

ROOT = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    settings = Settings(_env_file=None)
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.database_url.startswith("sqlite+aiosqlite:///./var/")
    assert settings.zeebe_address is None


def test_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_PORT", "eighty")
    monkeypatch.setenv("SWITCHBOARD_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert "SWITCHBOARD_PORT: Input should be a valid integer" in message
    assert "SWITCHBOARD_LOG_FORMAT: Input should be 'text' or 'json'" in message
    assert "\n" not in message


def test_unsupported_database_url_names_the_variable_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "mysql://app:hunter2-pw@db/switchboard")
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert "SWITCHBOARD_DATABASE_URL: Value error, unsupported database URL scheme 'mysql'" in (
        message
    )
    assert "hunter2-pw" not in message
    for accepted in ("postgresql://u:p@h/db", "sqlite:///x.db", "postgresql+asyncpg://h/db"):
        assert Settings(_env_file=None, database_url=accepted).database_url == accepted


def test_serving_the_ui_on_postgresql_needs_a_session_secret() -> None:
    shared = Settings(_env_file=None, database_url="postgresql://u:p@h/db")
    with pytest.raises(SettingsError, match="SWITCHBOARD_SESSION_SECRET: required"):
        shared.check_serving()
    with pytest.raises(SettingsError, match="SWITCHBOARD_SESSION_SECRET"):
        create_app(shared)
    # Configured, without the UI, or embedded (SQLite): fine.
    Settings(
        _env_file=None, database_url="postgresql://u:p@h/db", session_secret="s" * 32
    ).check_serving()
    Settings(_env_file=None, database_url="postgresql://u:p@h/db", ui_enabled=False).check_serving()
    Settings(_env_file=None, database_url="sqlite:///x.db").check_serving()


def test_cli_stops_with_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    env = {**os.environ, "SWITCHBOARD_PORT": "70000"}
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "connectors"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 78  # configuration error (docs/cli.md)
    assert proc.stderr.strip().splitlines() == [
        "switchboard: configuration error: SWITCHBOARD_PORT: Input should be less than or equal "
        "to 65535"
    ]


def test_connectors_json_lists_echo_and_environment_connectors(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONNECTOR_PLAIN_FUNCTION": "tests.foundation.sample_connectors:plain_function",
        "CONNECTOR_PLAIN_TYPE": "test:plain:1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "connectors", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    listed = {c["type"]: c for c in json.loads(proc.stdout)}
    assert listed["switchboard:echo:1"]["state"] == "enabled"
    assert listed["test:plain:1"]["source"].startswith("CONNECTOR_PLAIN_FUNCTION=")


async def _tables(url: str) -> set[str]:
    from sqlalchemy import inspect

    from app.db.session import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_migrations_up_and_down(database_url: str) -> None:
    await migrate.upgrade(database_url)
    assert await migrate.current_revision(database_url) == migrate.head_revision()
    assert {"connectors", "executions"} <= await _tables(database_url)
    await migrate.downgrade(database_url, "base")
    assert await migrate.current_revision(database_url) is None
    assert not {"connectors", "executions"} & await _tables(database_url)
    await migrate.upgrade(database_url)  # leave the schema in place for other tests
    assert await migrate.current_revision(database_url) == migrate.head_revision()


async def test_ready_reports_the_database_and_records_connectors(database_url: str) -> None:
    await migrate.upgrade(database_url)
    app = create_app(Settings(_env_file=None, database_url=database_url, session_secret="s" * 32))
    async with started(app) as running:
        transport = httpx.ASGITransport(app=running)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            live = await client.get("/health/live")
            ready = await client.get("/health/ready")
        from sqlalchemy import select

        from app.db.models import ConnectorRow

        async with running.services.sessions() as session:
            types = set((await session.scalars(select(ConnectorRow.type))).all())
    assert live.json() == {"status": "up"}
    assert ready.status_code == 200
    assert ready.json()["components"]["database"]["status"] == "up"
    assert "switchboard:echo:1" in types


async def test_ready_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    app = create_app(Settings(_env_file=None, database_url=url, session_secret="s" * 32))
    async with started(app) as running:
        transport = httpx.ASGITransport(app=running)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["components"]["database"]["status"] == "down"


def test_json_logs_are_one_object_per_line_without_colour_fields() -> None:
    import logging

    from app.logs import JsonFormatter

    record = logging.makeLogRecord(
        {
            "msg": "started %s",
            "args": ("ok",),
            "levelname": "INFO",
            "name": "uvicorn",
            "color_message": "\x1b[32mstarted\x1b[0m",
            "job_type": "switchboard:echo:1",
        }
    )
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert "\n" not in line
    assert payload["message"] == "started ok"
    assert payload["job_type"] == "switchboard:echo:1"
    assert "color_message" not in payload


async def test_database_errors_never_carry_statement_parameters(database_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from app.db.session import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as info:
                await conn.execute(
                    text("INSERT INTO no_such_table (v) VALUES (:v)"), {"v": "job-variable-value"}
                )
    finally:
        await engine.dispose()
    assert "job-variable-value" not in str(info.value)
