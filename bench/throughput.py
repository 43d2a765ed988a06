"""Throughput of Switchboard's Zeebe worker against a bare pyzeebe worker.

Each run starts the test gateway (tests/support/gateway.py) in its own process with N
jobs, points a worker in this process at it, and takes the gateway's own measurements
once every job is finished: jobs per second from the first activation to the last
completion, and the activation-to-complete latency of each job.

(a) bare pyzeebe ZeebeWorker, a no-op async task, job type ``noop``;
(b) Switchboard's ZeebeService + ConnectorRuntime running the ``echo`` connector, with
    execution history written to PostgreSQL by app.db.history.HistoryWriter;
(c)/(d) the REST transport: a bare camunda-orchestration-sdk worker and Switchboard's REST
    engine against the REST stand-in (bench/rest_transport.py), ``ratio rest / bare sdk``.

Usage (from the repository root)::

    .venv/bin/python bench/throughput.py                 # 20,000 jobs per run
    .venv/bin/python bench/throughput.py --jobs 2000     # quick
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from pyzeebe import ZeebeWorker  # noqa: E402

from app.db.history import HistoryWriter  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.db.session import create_engine  # noqa: E402
from app.engines.zeebe import ZeebeService  # noqa: E402
from app.runtime.executor import ConnectorRuntime  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.rest_transport import rest_section  # noqa: E402
from connectors.echo import echo  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
JOB_VARIABLES = {"orderId": "A-1", "amount": 12.5, "customer": {"id": 7, "tier": "gold"}}


class GatewayProcess:
    """The test gateway in a child process, seeded with ``jobs`` jobs of ``job_type``."""

    def __init__(self, jobs: int, job_type: str, max_seconds: float) -> None:
        self.jobs = jobs
        self.job_type = job_type
        self.max_seconds = max_seconds
        self.proc: asyncio.subprocess.Process | None = None
        self.address = ""

    async def __aenter__(self) -> GatewayProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.gateway",
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
            raise RuntimeError(f"gateway did not start: {line!r}")
        self.address = line.split()[1]
        return self

    async def _line(self, timeout: float) -> str:  # noqa: ASYNC109
        assert self.proc is not None and self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            raw = await self.proc.stdout.readline()
        return raw.decode().strip()

    async def report(self) -> dict[str, Any]:
        """Wait for the statistics line printed once every job is finished."""
        stats: dict[str, Any] = json.loads(await self._line(self.max_seconds + 10))
        if "error" in stats:
            raise RuntimeError(stats["error"])
        return stats

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


async def run_bare_pyzeebe(args: argparse.Namespace) -> dict[str, Any]:
    async with GatewayProcess(args.jobs, "noop", args.max_seconds) as gateway:
        channel = grpc.aio.insecure_channel(gateway.address)
        # poll_retry_delay: pyzeebe sleeps this long whenever max_running_jobs are in
        # flight; its default (5 s) would measure the sleep, not the client.
        worker = ZeebeWorker(
            channel,
            name="bench-bare",
            request_timeout=args.request_timeout_ms,
            max_connection_retries=-1,
            poll_retry_delay=0.01,  # type: ignore[arg-type]
        )

        @worker.task(
            task_type="noop",
            timeout_ms=300_000,
            max_jobs_to_activate=args.max_activate,
            max_running_jobs=args.max_running,
        )
        async def noop() -> dict[str, Any]:
            return {}

        cpu = time.process_time()
        work = asyncio.create_task(worker.work())
        try:
            stats = await gateway.report()
            stats["worker_cpu_us_per_job"] = _cpu_per_job(cpu, args.jobs)
        finally:
            # worker.stop() waits for in-flight jobs without a bound; the gateway is done.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await worker.stop()
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            await channel.close()
    return stats


async def run_switchboard(args: argparse.Namespace) -> dict[str, Any]:
    engine = create_engine(args.database_url)
    await upgrade(args.database_url)
    history = HistoryWriter(engine, retention_days=0)
    await history.start()
    runtime = ConnectorRuntime({echo.type: echo}, history=history)
    try:
        async with GatewayProcess(args.jobs, echo.type, args.max_seconds) as gateway:
            settings = load_settings(
                _env_file=None,
                zeebe_address=gateway.address,
                worker_name="bench-switchboard",
                worker_max_jobs_to_activate=args.max_activate,
                worker_max_running_jobs=args.max_running,
                worker_request_timeout_seconds=args.request_timeout_ms / 1000,
                worker_poll_interval_seconds=0,
            )
            service = ZeebeService(settings, runtime, [echo])
            cpu = time.process_time()
            await service.start()
            try:
                stats = await gateway.report()
                stats["worker_cpu_us_per_job"] = _cpu_per_job(cpu, args.jobs)
            finally:
                await service.stop()
        flush_started = time.monotonic()
        await history.stop(timeout=60)
        stats["history_written"] = history.written
        stats["history_dropped"] = history.dropped
        stats["history_flush_after_s"] = round(time.monotonic() - flush_started, 2)
    finally:
        runtime.close()
        await engine.dispose()
    return stats


def _cpu_per_job(since: float, jobs: int) -> float:
    return round((time.process_time() - since) / max(jobs, 1) * 1e6, 1)


def _line(label: str, stats: dict[str, Any]) -> str:
    return (
        f"{label:<34} {stats['jobs_per_s']:>8.1f} jobs/s   "
        f"p50 {stats['latency_p50_ms']:>7.2f} ms   p99 {stats['latency_p99_ms']:>8.2f} ms   "
        f"CPU/job worker {stats['worker_cpu_us_per_job']:>5.0f} us, "
        f"gateway {stats['gateway_cpu_us_per_job']:>5.0f} us   "
        f"({stats['completed']}/{stats['finished']} completed in {stats['elapsed_s']} s)"
    )


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return max(runs, key=lambda stats: stats["jobs_per_s"])


async def main_async(args: argparse.Namespace) -> int:
    started = time.monotonic()
    # pyzeebe warns on every poll that finds max_running_jobs in flight.
    logging.getLogger("pyzeebe").setLevel(logging.ERROR)
    print(
        f"{args.jobs} jobs per run, {args.rounds} round(s) of (a) then (b); "
        f"max_jobs_to_activate={args.max_activate}, max_running_jobs={args.max_running}; "
        f"database {args.database_url}",
        flush=True,
    )
    transports = {t.strip() for t in args.transports.split(",")}
    if "grpc" in transports:
        await grpc_section(args)
    if "rest" in transports:
        await rest_section(args, _line)
    print(f"total bench time {time.monotonic() - started:.1f} s", flush=True)
    return 0


async def grpc_section(args: argparse.Namespace) -> float:
    bare_runs: list[dict[str, Any]] = []
    sb_runs: list[dict[str, Any]] = []
    for round_no in range(1, args.rounds + 1):
        bare_runs.append(await run_bare_pyzeebe(args))
        print(_line(f"[{round_no}] (a) bare pyzeebe, no-op", bare_runs[-1]), flush=True)
        sb_runs.append(await run_switchboard(args))
        print(_line(f"[{round_no}] (b) Switchboard, echo+history", sb_runs[-1]), flush=True)
        sb = sb_runs[-1]
        print(
            f"    history rows written {sb['history_written']}, dropped {sb['history_dropped']}, "
            f"queue drained {sb['history_flush_after_s']} s after the last job",
            flush=True,
        )
    bare, sb = _best(bare_runs), _best(sb_runs)
    print(f"best of {args.rounds} round(s):", flush=True)
    print(_line("(a) bare pyzeebe, no-op", bare), flush=True)
    print(_line("(b) Switchboard, echo + history", sb), flush=True)
    ratio = sb["jobs_per_s"] / bare["jobs_per_s"] if bare["jobs_per_s"] else 0.0
    verdict = "OK" if ratio >= 0.9 else "BELOW TARGET"
    print(f"ratio b/a = {ratio:.3f} (target >= 0.9: {verdict})", flush=True)
    if args.json:
        print(json.dumps({"bare": bare_runs, "switchboard": sb_runs, "ratio": round(ratio, 3)}))
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs per run (default 20000)")
    parser.add_argument("--max-activate", type=int, default=32, help="max_jobs_to_activate")
    parser.add_argument("--max-running", type=int, default=64, help="max_running_jobs")
    parser.add_argument("--request-timeout-ms", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=80.0, help="per-run limit")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SWITCHBOARD_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating (a)/(b) rounds; the best of each counts"
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument(
        "--transports",
        default="grpc,rest",
        help="comma list of sections to run: grpc (pyzeebe vs Switchboard), rest (bare SDK "
        "worker vs Switchboard's REST engine)",
    )
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
