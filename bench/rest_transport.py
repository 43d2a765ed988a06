"""The REST transport's section of bench/throughput.py.

Each run starts the REST stand-in over the test gateway (``python -m
tests.support.camunda_rest``) in its own process with N jobs and points a worker in this
process at it; the gateway measures jobs/s from the first activation to the last command
and each job's activation-to-command latency.

(c) a bare ``camunda-orchestration-sdk`` job worker (``CamundaAsyncClient.create_job_worker``,
    async strategy) with a no-op handler, job type ``noop``;
(d) Switchboard's CamundaRestService + ConnectorRuntime running ``echo``, history written to
    PostgreSQL.

Run alone: ``.venv/bin/python bench/throughput.py --transports rest``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# `python bench/<x>.py` puts bench/ first on sys.path, where bench/http.py would shadow the
# standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from camunda_orchestration_sdk import (  # noqa: E402
    CamundaAsyncClient,
    ConnectedJobContext,
    WorkerConfig,
)

from app.db.history import HistoryWriter  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.db.session import create_engine  # noqa: E402
from app.engines.camunda_rest import CamundaRestService  # noqa: E402
from app.runtime.executor import ConnectorRuntime  # noqa: E402
from app.settings import load_settings  # noqa: E402
from connectors.echo import echo  # noqa: E402

JOB_VARIABLES = {"orderId": "A-1", "amount": 12.5, "customer": {"id": 7, "tier": "gold"}}


class RestStandInProcess:
    """The REST stand-in (and its gateway) in a child process, seeded with jobs."""

    def __init__(self, jobs: int, job_type: str, max_seconds: float) -> None:
        self.jobs = jobs
        self.job_type = job_type
        self.max_seconds = max_seconds
        self.proc: asyncio.subprocess.Process | None = None
        self.address = ""

    async def __aenter__(self) -> RestStandInProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.camunda_rest",
            "--jobs",
            str(self.jobs),
            "--type",
            self.job_type,
            "--variables",
            json.dumps(JOB_VARIABLES),
            "--headers",
            json.dumps({"resultVariable": "result"}),
            "--report",
            "--max-seconds",
            str(self.max_seconds),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        line = await self._line(60)
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"REST stand-in did not start: {line!r}")
        self.address = line.split()[1]
        return self

    async def _line(self, timeout: float) -> str:  # noqa: ASYNC109
        assert self.proc is not None and self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            raw = await self.proc.stdout.readline()
        return raw.decode().strip()

    async def report(self) -> dict[str, Any]:
        stats: dict[str, Any] = json.loads(await self._line(self.max_seconds + 10))
        if "error" in stats:
            raise RuntimeError(stats["error"])
        return stats

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


def _run_limit(args: argparse.Namespace) -> float:
    # The SDK's worker pauses 1 s after every activation: its runs take jobs / concurrency s.
    return max(args.max_seconds, args.jobs / max(args.max_running, 1) * 1.5 + 30)


async def run_bare_sdk(args: argparse.Namespace) -> dict[str, Any]:
    """(c): the SDK's own job worker, as its README shows it, with a no-op handler."""
    async with RestStandInProcess(args.jobs, "noop", _run_limit(args)) as stand_in:
        client = CamundaAsyncClient(
            configuration={
                "CAMUNDA_REST_ADDRESS": stand_in.address,
                "CAMUNDA_AUTH_STRATEGY": "NONE",
                "CAMUNDA_SDK_LOG_LEVEL": "error",
            },
            logger=logging.getLogger("bench.sdk"),
        )

        async def noop(job: ConnectedJobContext) -> dict[str, object]:
            return {}

        client.create_job_worker(
            config=WorkerConfig(
                job_type="noop",
                job_timeout_milliseconds=300_000,
                request_timeout_milliseconds=args.request_timeout_ms,
                max_concurrent_jobs=args.max_running,
                worker_name="bench-bare-sdk",
            ),
            callback=noop,
            execution_strategy="async",
        )
        cpu = time.process_time()
        work = asyncio.create_task(client.run_workers())
        try:
            stats = await stand_in.report()
            stats["worker_cpu_us_per_job"] = _cpu_per_job(cpu, args.jobs)
        finally:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            with contextlib.suppress(Exception):
                await client.aclose()
    return stats


async def run_switchboard_rest(args: argparse.Namespace) -> dict[str, Any]:
    """(d): Switchboard on the REST engine, echo, history to PostgreSQL."""
    engine = create_engine(args.database_url)
    await upgrade(args.database_url)
    history = HistoryWriter(engine, retention_days=0)
    await history.start()
    runtime = ConnectorRuntime({echo.type: echo}, history=history)
    try:
        async with RestStandInProcess(args.jobs, echo.type, _run_limit(args)) as stand_in:
            settings = load_settings(
                _env_file=None,
                job_transport="rest",
                camunda_rest_address=stand_in.address,
                worker_name="bench-switchboard-rest",
                worker_max_jobs_to_activate=args.max_activate,
                worker_max_running_jobs=args.max_running,
                worker_request_timeout_seconds=args.request_timeout_ms / 1000,
                worker_poll_interval_seconds=0,
            )
            service = CamundaRestService(settings, runtime, [echo])
            cpu = time.process_time()
            await service.start()
            try:
                stats = await stand_in.report()
                stats["worker_cpu_us_per_job"] = _cpu_per_job(cpu, args.jobs)
            finally:
                await service.stop()
        await history.stop(timeout=60)
        stats["history_written"] = history.written
        stats["history_dropped"] = history.dropped
    finally:
        runtime.close()
        await engine.dispose()
    return stats


def _cpu_per_job(since: float, jobs: int) -> float:
    return round((time.process_time() - since) / max(jobs, 1) * 1e6, 1)


async def rest_section(args: argparse.Namespace, line: Any) -> float:
    """Alternating (c)/(d) rounds; prints each, the best of each and the ratio line."""
    bare_runs: list[dict[str, Any]] = []
    sb_runs: list[dict[str, Any]] = []
    for round_no in range(1, args.rounds + 1):
        bare_runs.append(await run_bare_sdk(args))
        print(line(f"[{round_no}] (c) bare SDK worker, no-op", bare_runs[-1]), flush=True)
        sb_runs.append(await run_switchboard_rest(args))
        print(line(f"[{round_no}] (d) Switchboard REST, echo", sb_runs[-1]), flush=True)
    bare = max(bare_runs, key=lambda s: s["jobs_per_s"])
    sb = max(sb_runs, key=lambda s: s["jobs_per_s"])
    print(f"REST transport, best of {args.rounds} round(s):", flush=True)
    print(line("(c) bare camunda-orchestration-sdk", bare), flush=True)
    print(line("(d) Switchboard REST, echo+history", sb), flush=True)
    ratio = sb["jobs_per_s"] / bare["jobs_per_s"] if bare["jobs_per_s"] else 0.0
    verdict = "reached" if ratio >= 1.0 else "NOT reached"
    print(f"ratio rest / bare sdk: {ratio:.2f} (target >= 1.0: {verdict})", flush=True)
    return ratio
