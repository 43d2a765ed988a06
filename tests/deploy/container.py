"""Running docker/entrypoint.sh the way the image does, on this machine: the image's
environment (SWITCHBOARD_HOST, SWITCHBOARD_MIGRATIONS_DIR, JSON logs) with the
virtualenv's ``switchboard`` on PATH, a private SQLite file and a free loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.deploy.tools import ROOT, VENV_BIN, free_port

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


def image_env(workdir: Path, **extra: str) -> dict[str, str]:
    """The environment the Dockerfile sets, adapted to loopback and a temporary directory."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(workdir),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "SWITCHBOARD_HOST": "127.0.0.1",  # 0.0.0.0 in the image; tests stay on loopback
        "SWITCHBOARD_PORT": str(free_port()),
        "SWITCHBOARD_LOG_FORMAT": "json",
        "SWITCHBOARD_MIGRATIONS_DIR": str(ROOT / "migrations"),
        "SWITCHBOARD_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'switchboard.db'}",
    }
    env.update(extra)
    return env


def run_entrypoint(
    workdir: Path, *args: str, timeout: float = 60, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        cwd=workdir,
        env=image_env(workdir, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Server:
    """``entrypoint.sh serve`` as a child process, its output in a file."""

    def __init__(self, workdir: Path, **extra: str) -> None:
        self.env = image_env(workdir, **extra)
        self.port = int(self.env["SWITCHBOARD_PORT"])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ["sh", str(ENTRYPOINT), "serve"],
                cwd=workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=2) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def wait_live(self, timeout: float = 30) -> None:
        """Wait (bounded) until /health/live answers 200; fail with the log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/health/live")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not live within {timeout}s:\n{self.log()}")

    async def wait_live_async(self, timeout: float = 30) -> None:  # noqa: ASYNC109
        """:meth:`wait_live` without blocking the running event loop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if (await asyncio.to_thread(self.get, "/health/live"))[0] == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"server not live within {timeout}s:\n{self.log()}")

    async def terminate_async(self, timeout: float = 20) -> int:  # noqa: ASYNC109
        return await asyncio.to_thread(self.terminate, timeout)

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM, as `docker stop` sends; the exit status (kills after ``timeout``)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)
            raise AssertionError(f"no exit within {timeout}s of SIGTERM:\n{self.log()}") from None
