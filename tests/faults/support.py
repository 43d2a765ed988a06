"""The fault suite's tools: the real application in-process on real settings, a readiness
recorder, history row counts, a private PostgreSQL cluster, a restartable OpenBao server with
persistent storage, and the figures each fault test reports."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.main import create_app
from app.runtime.registry import ConnectorRegistry
from app.settings import Settings
from connectors.sdk import OutboundConnector
from tests.support.app import StartedApp, started
from tests.support.gateway import TestGateway
from tests.support.openbao import bao_binary, free_port_pair

SESSION_SECRET = "fault-suite-session-secret-" + "f" * 24

# Worker settings for quick recovery on a loaded machine: reconnect backoff capped at 1 s,
# readiness probe every 0.2 s; everything else is the production default unless a test says.
FAST_WORKER: dict[str, Any] = {
    "worker_name": "switchboard-faults",
    "worker_request_timeout_seconds": 2.0,
    "worker_reconnect_max_backoff_seconds": 1.0,
    "worker_health_interval_seconds": 0.2,
    "shutdown_grace_seconds": 5.0,
}


# ---------------------------------------------------------------- figures


@dataclass
class Figures:
    """What one fault test measured; printed in the suite's summary."""

    fault: str
    jobs_sent: int = 0
    jobs_completed: int = 0
    jobs_lost: int = 0
    rows_expected: int = 0
    rows_present: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        extra = ", ".join(f"{k} {v}" for k, v in self.notes.items())
        return (
            f"{self.fault}: jobs sent {self.jobs_sent} / completed {self.jobs_completed} / "
            f"lost {self.jobs_lost}; history rows expected {self.rows_expected} / present "
            f"{self.rows_present}" + (f"; {extra}" if extra else "")
        )


REPORTED: list[Figures] = []


def report(figures: Figures) -> Figures:
    """Keep ``figures`` for the terminal summary (tests/faults/conftest.py)."""
    REPORTED.append(figures)
    return figures


# ---------------------------------------------------------------- the application


@dataclass
class FaultApp:
    """The application with its lifespan running, and an HTTP client on it (ASGI)."""

    app: StartedApp
    client: httpx.AsyncClient

    async def ready(self) -> tuple[int, dict[str, Any]]:
        response = await self.client.get("/health/ready")
        return response.status_code, response.json()

    async def metric(self, name: str) -> float:
        """The sum of every sample of ``name`` in /metrics."""
        response = await self.client.get("/metrics")
        total = 0.0
        for line in response.text.splitlines():
            if line.startswith(name) and (len(line) == len(name) or line[len(name)] in " {"):
                total += float(line.rsplit(" ", 1)[1])
        return total


@contextlib.asynccontextmanager
async def fault_app(
    database_url: str,
    connectors: tuple[OutboundConnector, ...],
    gateway: TestGateway | None = None,
    **overrides: Any,
) -> AsyncIterator[FaultApp]:
    """``create_app`` on real settings (``overrides`` by field name) with its lifespan."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "session_secret": SESSION_SECRET,
        "secrets_env_enabled": False,
        **FAST_WORKER,
    }
    if gateway is not None:
        values["zeebe_address"] = gateway.address
    values.update(overrides)
    settings = Settings(_env_file=None, **values)
    app = create_app(settings, ConnectorRegistry.of(*connectors))
    async with started(app) as running:
        transport = httpx.ASGITransport(app=running)
        async with httpx.AsyncClient(transport=transport, base_url="http://switchboard") as client:
            yield FaultApp(running, client)


class ReadinessRecorder:
    """Polls /health/ready every ``every`` seconds and keeps each change of one component's
    status (and of the HTTP status): ``(seconds since start, http status, component)``."""

    def __init__(self, app: FaultApp, component: str, every: float = 0.05) -> None:
        self.app = app
        self.component = component
        self.every = every
        self.changes: list[tuple[float, int, str]] = []
        self.latest: tuple[int, str] | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = time.monotonic()

    def __enter__(self) -> ReadinessRecorder:
        self._task = asyncio.create_task(self._run(), name="readiness-recorder")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            code, body = await self.app.ready()
            status = body.get("components", {}).get(self.component, {}).get("status", "absent")
            if self.latest != (code, status):
                self.latest = (code, status)
                self.changes.append((time.monotonic() - self._started, code, status))
            await asyncio.sleep(self.every)

    def now(self) -> float:
        return time.monotonic() - self._started

    def is_(self, status: str) -> bool:
        return self.latest is not None and self.latest[1] == status

    def sequence(self) -> list[str]:
        """The component's statuses in order, repeats collapsed."""
        out: list[str] = []
        for _, _, status in self.changes:
            if not out or out[-1] != status:
                out.append(status)
        return out

    def first(self, status: str, after: float) -> float | None:
        """When the component was first seen ``status`` at or after ``after``."""
        return next((t for t, _, s in self.changes if s == status and t >= after), None)


def unique_process_id(fault: str) -> str:
    """A BPMN process id of this run alone: history rows are counted by it."""
    return f"faults-{fault}-{uuid.uuid4().hex[:10]}"


async def history_rows(database_url: str, bpmn_process_id: str) -> tuple[int, int]:
    """(rows, distinct job keys) of the execution history for one process id."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT job_key) FROM executions "
                    "WHERE bpmn_process_id = :pid"
                ),
                {"pid": bpmn_process_id},
            )
            rows, keys = result.one()
    finally:
        await engine.dispose()
    return int(rows), int(keys)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stamp() -> str:
    """Date and load of this run, for the figures in docs/operations.md."""
    load = os.getloadavg()[0]
    return f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {load:.1f}"


# ---------------------------------------------------------------- PostgreSQL


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return Path(found[-1]).parent


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(p) for p in version.split(".") if p.isdigit())


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb into a temporary directory) on a free loopback
    port, trust authentication; ``stop()`` and ``start()`` keep the port. PostgreSQL refuses
    to run as root: as root the binaries run as the ``postgres`` user (runuser)."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="switchboard-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.dir
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")

    def init(self) -> PostgresCluster:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        """Stop at once (``-m fast``: open connections are closed, as in a crash or failover)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            if self.running():
                self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- OpenBao


class PersistentOpenBao:
    """``bao server`` with raft storage (not dev mode), so its secrets survive a restart as a
    real Vault's do: initialised once (one unseal key), KV v2 at ``secret/``. A stopped server
    refuses connections; a restarted one answers "sealed" (503) until :meth:`unseal`."""

    def __init__(self) -> None:
        self.port = free_port_pair()
        self.address = f"http://127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="switchboard-faults-bao-"))
        (self.dir / "data").mkdir()
        self.root_token = ""
        self._unseal_key = ""
        self._process: subprocess.Popen[bytes] | None = None
        config = {
            "storage": {
                "raft": {
                    "path": str(self.dir / "data"),
                    "node_id": "faults",
                    "performance_multiplier": 1,  # elections in ~1 s, not ~5 s
                }
            },
            "listener": {
                "tcp": {
                    "address": f"127.0.0.1:{self.port}",
                    "cluster_address": f"127.0.0.1:{self.port + 1}",
                    "tls_disable": True,
                }
            },
            "api_addr": self.address,
            "cluster_addr": f"http://127.0.0.1:{self.port + 1}",
        }
        (self.dir / "config.json").write_text(json.dumps(config))

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.address}/v1/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"X-Vault-Token": self.root_token} if self.root_token else {},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def _health(self) -> int | None:
        try:
            with urllib.request.urlopen(f"{self.address}/v1/sys/health", timeout=1) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code  # 501 not initialised, 503 sealed
        except OSError:
            return None

    def start(self, timeout: float = 20) -> None:
        """Start the process and wait (bounded) until it answers (sealed or not)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
        env["HOME"] = str(self.dir)
        with (self.dir / "server.log").open("ab") as log:
            self._process = subprocess.Popen(
                [bao_binary(), "server", f"-config={self.dir / 'config.json'}"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while self._health() is None:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"OpenBao did not start: {self.log_tail()}")
            time.sleep(0.05)

    def initialise(self) -> None:
        answer = self._call("PUT", "sys/init", {"secret_shares": 1, "secret_threshold": 1})
        self._unseal_key = answer["keys"][0]
        self.root_token = answer["root_token"]
        self.unseal()
        self._call("POST", "sys/mounts/secret", {"type": "kv", "options": {"version": "2"}})

    def unseal(self, timeout: float = 20) -> None:
        self._call("PUT", "sys/unseal", {"key": self._unseal_key})
        deadline = time.monotonic() + timeout
        while self._health() != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"OpenBao did not unseal: {self.log_tail()}")
            time.sleep(0.05)

    def put(self, path: str, **data: Any) -> None:
        self._call("POST", f"secret/data/{path}", {"data": data})

    def stop(self, timeout: float = 10) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(
                (self.dir / "server.log").read_text(errors="replace").splitlines()[-lines:]
            )
        return "(no log)"

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def persistent_openbao() -> Iterator[PersistentOpenBao]:
    server = PersistentOpenBao()
    try:
        server.start()
        server.initialise()
        yield server
    finally:
        server.destroy()
