"""docker/entrypoint.sh with the real ``switchboard`` command: migrate, then exec the server
(so SIGTERM reaches it), the image's HEALTHCHECK against it, and the other branches."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db.migrate import head_revision
from tests.deploy.container import Server, run_entrypoint
from tests.deploy.test_dockerfile import healthcheck_command


def revision(database: Path) -> str | None:
    if not database.exists():
        return None
    with sqlite3.connect(database) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            return None
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(rows) == 1
    return str(rows[0][0])


def assert_graceful_stop(server: Server) -> None:
    """SIGTERM ends the server through its shutdown path (a graceful drain) and the process
    exits 0, not "terminated by SIGTERM" (143 to Docker): app/cli/serve.py."""
    status = server.terminate()
    assert status == 0, server.log()
    assert "Application shutdown complete" in server.log()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(10)


def test_serve_migrates_then_execs_the_server_which_stops_on_sigterm(
    server: Server, tmp_path: Path
) -> None:
    server.wait_live()
    assert revision(tmp_path / "switchboard.db") == head_revision()
    # exec: the process started as `sh entrypoint.sh` is now the server itself, so
    # `docker stop` signals the server and not a shell that would ignore SIGTERM.
    cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
    assert b"serve" in cmdline
    assert not any(part.endswith(b"entrypoint.sh") for part in cmdline)

    # The image's HEALTHCHECK, run as Docker runs it, passes against the real server.
    command = healthcheck_command()
    check = subprocess.run(
        [sys.executable, *command[1:]],
        env={"SWITCHBOARD_PORT": str(server.port)},
        capture_output=True,
        timeout=20,
        check=False,
    )
    assert check.returncode == 0, check.stderr

    assert_graceful_stop(server)


def test_migrate_subcommand_then_serve_without_migrating(tmp_path: Path) -> None:
    migrated = run_entrypoint(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert revision(tmp_path / "switchboard.db") == head_revision()
    server = Server(tmp_path, SWITCHBOARD_MIGRATE_ON_START="false")
    try:
        server.wait_live()
        assert_graceful_stop(server)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    # `switchboard migrate` prints its outcome; with migration off it never ran.
    outcome = (migrated.stdout + migrated.stderr).strip()
    assert outcome
    assert outcome not in server.log()


def test_a_bad_migrate_switch_is_refused_naming_the_variable(tmp_path: Path) -> None:
    result = run_entrypoint(tmp_path, "serve", SWITCHBOARD_MIGRATE_ON_START="sometimes")
    assert result.returncode == 2
    assert "SWITCHBOARD_MIGRATE_ON_START must be true or false" in result.stderr
    assert revision(tmp_path / "switchboard.db") is None


def test_options_go_to_switchboard(tmp_path: Path) -> None:
    helped = run_entrypoint(tmp_path, "--help")
    assert helped.returncode == 0
    assert "usage: switchboard" in helped.stdout


def test_other_programs_run_as_given(tmp_path: Path) -> None:
    result = run_entrypoint(tmp_path, "python", "-c", "import sys; print('hi'); sys.exit(7)")
    assert result.returncode == 7
    assert result.stdout == "hi\n"
    assert not (tmp_path / "switchboard.db").exists()  # no migration for a debug shell
