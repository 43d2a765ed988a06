"""RabbitMQ for tests: the machine's broker on 127.0.0.1:5672, and a private node that a test
may stop and start (a broker restart) without disturbing anyone else.

The private node is the Debian ``rabbitmq-server`` run under a temporary folder with its own
node name, Erlang cookie and loopback ports. ``restart()`` stops and starts the RabbitMQ
application inside the running node (``rabbitmqctl stop_app`` / ``start_app``): clients see
exactly what a broker restart shows them (connections closed with ``CONNECTION_FORCED``,
the port refusing connections, then durable exchanges and queues back), in seconds rather
than the ten a cold boot takes here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

SHARED_HOST = "127.0.0.1"
SHARED_PORT = 5672
SHARED_URI = f"amqp://guest:guest@{SHARED_HOST}:{SHARED_PORT}/"
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
BOOT_TIMEOUT = 60.0


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_shared_broker() -> None:
    """Fail (never skip) with instructions when the machine's broker is not running."""
    if not port_open(SHARED_HOST, SHARED_PORT):
        pytest.fail(
            f"RabbitMQ does not answer on {SHARED_HOST}:{SHARED_PORT}: run `make test` "
            "(scripts/ensure-rabbitmq.sh starts it)"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RabbitNode:
    """A private RabbitMQ node on loopback ports, owned by the test session."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dist_port = free_port()
        self.name = f"sbtest-{uuid.uuid4().hex[:8]}@localhost"
        self.home = Path(tempfile.mkdtemp(prefix="switchboard-rabbitmq-"))
        self.uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self._process: subprocess.Popen[bytes] | None = None
        (self.home / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users.guest = true\n"
        )
        (self.home / "enabled_plugins").write_text("[].\n")
        (self.home / "rabbitmq-env.conf").write_text("")

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HOME=str(self.home),  # its own Erlang cookie
            RABBITMQ_CONF_ENV_FILE=str(self.home / "rabbitmq-env.conf"),
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.home / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.home / "log"),
            RABBITMQ_CONFIG_FILE=str(self.home / "rabbitmq.conf"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.home / "enabled_plugins"),
            RABBITMQ_PID_FILE=str(self.home / "rabbitmq.pid"),
            ERL_EPMD_ADDRESS="127.0.0.1",
        )
        return env

    def launch(self) -> RabbitNode:
        """Start booting the node in the background (it takes ~10 s on a quiet machine);
        :meth:`ready` waits for it."""
        if self._process is not None:
            return self
        server = RABBITMQ_BIN / "rabbitmq-server"
        if not server.exists():
            pytest.fail(f"{server} is missing: run `make test` (scripts/ensure-rabbitmq.sh)")
        with (self.home / "server.out").open("wb") as log:
            self._process = subprocess.Popen(
                [str(server)],
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, ended as a whole in close()
            )
        return self

    async def ready(self) -> RabbitNode:
        self.launch()
        await self.wait_until(lambda: port_open("127.0.0.1", self.port), "the node to boot")
        return self

    async def ctl(self, *args: str) -> None:
        """Run rabbitmqctl against this node."""
        process = await asyncio.create_subprocess_exec(
            str(RABBITMQ_BIN / "rabbitmqctl"),
            "-n",
            self.name,
            *args,
            env=self._env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        async with asyncio.timeout(BOOT_TIMEOUT):
            output, _ = await process.communicate()
        if process.returncode != 0:
            raise AssertionError(f"rabbitmqctl {' '.join(args)} failed: {output.decode()[-500:]}")

    async def stop_app(self) -> None:
        """Stop the broker (the port refuses connections; clients are told CONNECTION_FORCED)."""
        await self.ctl("stop_app")
        await self.wait_until(lambda: not port_open("127.0.0.1", self.port), "the port to close")

    async def start_app(self) -> None:
        await self.ctl("start_app")
        await self.wait_until(lambda: port_open("127.0.0.1", self.port), "the broker to start")

    async def restart(self) -> None:
        await self.stop_app()
        await self.start_app()

    async def wait_until(self, predicate: object, what: str) -> None:
        assert callable(predicate)
        deadline = time.monotonic() + BOOT_TIMEOUT
        while not predicate():
            if self._process is not None and self._process.poll() is not None:
                raise AssertionError(
                    f"the RabbitMQ node exited while waiting for {what}: {self._output_tail()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {self._output_tail()}")
            await asyncio.sleep(0.1)

    def _output_tail(self) -> str:
        path = self.home / "server.out"
        return path.read_text(errors="replace")[-800:] if path.exists() else ""

    def close(self) -> None:
        """End the node's process group (the shell script and the Erlang VM it started)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        shutil.rmtree(self.home, ignore_errors=True)
