"""Throughput of Switchboard's Zeebe worker against a bare pyzeebe worker.

Each run starts the test gateway (tests/support/gateway.py) in its own process with N
jobs, points a worker at it, and takes the gateway's own measurements once every job is
finished: jobs per second from the first activation to the last completion, and the
activation-to-command latency of each job.

(a) bare pyzeebe ZeebeWorker (polling), a no-op async task, job type ``noop``;
(b) Switchboard streaming: ZeebeService (StreamActivatedJobs + polling backstop) +
    ConnectorRuntime running the ``echo`` connector, history written to PostgreSQL;
(c) Switchboard polling: the same with SWITCHBOARD_WORKER_STREAM_ENABLED=false.

Jobs arrive as a process engine creates them (``--arrival chain``, default): K instances
(K = --max-running) each create their next job when one finishes, so jobs keep becoming
activatable while the worker runs; ``--arrival batch`` seeds all N up front.
(d)/(e) the REST transport: a bare camunda-orchestration-sdk worker and Switchboard's REST
    engine against the REST stand-in (bench/rest_transport.py), ``ratio rest / bare sdk``.

Usage (from the repository root)::

    .venv/bin/python bench/throughput.py                 # 20,000 jobs per run
    .venv/bin/python bench/throughput.py --jobs 2000     # quick
    .venv/bin/python bench/throughput.py --replicas 2    # 1 and 2 worker processes
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

    def __init__(self, jobs: int, job_type: str, max_seconds: float, chain: int = 0) -> None:
        self.jobs = jobs
        self.job_type = job_type
        self.max_seconds = max_seconds
        self.chain = chain
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
            "--chain",
            str(self.chain),
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
    async with GatewayProcess(args.jobs, "noop", args.max_seconds, _chain(args)) as gateway:
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


def _chain(args: argparse.Namespace) -> int:
    return args.max_running if args.arrival == "chain" else 0


def _switchboard_settings(args: argparse.Namespace, address: str, stream: bool) -> Any:
    return load_settings(
        _env_file=None,
        zeebe_address=address,
        worker_name="bench-switchboard",
        worker_max_jobs_to_activate=args.max_activate,
        worker_max_running_jobs=args.max_running,
        worker_request_timeout_seconds=args.request_timeout_ms / 1000,
        worker_poll_interval_seconds=0,
        worker_stream_enabled=stream,
    )


class SwitchboardWorker:
    """ZeebeService + ConnectorRuntime (echo) + HistoryWriter to PostgreSQL, as serve runs."""

    def __init__(self, args: argparse.Namespace, address: str, stream: bool) -> None:
        self.args = args
        self.address = address
        self.stream = stream
        self.stats: dict[str, Any] = {}

    async def __aenter__(self) -> SwitchboardWorker:
        self.engine = create_engine(self.args.database_url)
        self.history = HistoryWriter(self.engine, retention_days=0)
        await self.history.start()
        self.runtime = ConnectorRuntime({echo.type: echo}, history=self.history)
        settings = _switchboard_settings(self.args, self.address, self.stream)
        self.service = ZeebeService(settings, self.runtime, [echo])
        await self.service.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.service.stop()
            flush_started = time.monotonic()
            await self.history.stop(timeout=60)
            self.stats["history_written"] = self.history.written
            self.stats["history_dropped"] = self.history.dropped
            self.stats["history_flush_after_s"] = round(time.monotonic() - flush_started, 2)
            self.stats["streamed"] = sum(w.streamed for w in self.service.workers)
        finally:
            self.runtime.close()
            await self.engine.dispose()


async def run_switchboard(args: argparse.Namespace, *, stream: bool) -> dict[str, Any]:
    await upgrade(args.database_url)
    async with GatewayProcess(args.jobs, echo.type, args.max_seconds, _chain(args)) as gateway:
        cpu = time.process_time()
        worker = SwitchboardWorker(args, gateway.address, stream)
        async with worker:
            stats = await gateway.report()
            stats["worker_cpu_us_per_job"] = _cpu_per_job(cpu, args.jobs)
        stats.update(worker.stats)
    return stats


async def run_replicas(args: argparse.Namespace, replicas: int) -> dict[str, Any]:
    """``replicas`` worker processes (this script with --worker-process) against one gateway
    process and one database; Zeebe's job distribution spreads the jobs between them."""
    await upgrade(args.database_url)
    async with GatewayProcess(args.jobs, echo.type, args.max_seconds, _chain(args)) as gateway:
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROOT / "bench" / "throughput.py"),
                "--worker-process",
                gateway.address,
                "--max-activate",
                str(args.max_activate),
                "--max-running",
                str(args.max_running),
                "--request-timeout-ms",
                str(args.request_timeout_ms),
                "--database-url",
                args.database_url,
                "--loop",
                args.loop,
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            for _ in range(replicas)
        ]
        try:
            stats = await gateway.report()
        finally:
            cpu_total = 0.0
            split: list[int] = []
            for proc in procs:
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.close()  # the worker stops, flushes its history, prints its CPU
                line = await asyncio.wait_for(proc.stdout.readline(), 90)
                with contextlib.suppress(ValueError, KeyError):
                    report = json.loads(line)
                    cpu_total += float(report["cpu_s"])
                    split.append(int(report["jobs"]))
                await proc.wait()
        stats["worker_cpu_us_per_job"] = round(cpu_total / max(args.jobs, 1) * 1e6, 1)
        stats["jobs_per_replica"] = split
        stats["replicas"] = replicas
    return stats


async def worker_process(args: argparse.Namespace) -> int:
    """One replica: run until stdin closes, then print ``{"cpu_s": ...}``."""
    logging.getLogger("pyzeebe").setLevel(logging.ERROR)
    cpu = time.process_time()
    worker = SwitchboardWorker(args, args.worker_process, stream=not args.polling)
    async with worker:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        await reader.read()
        jobs = sum(w.finished for w in worker.service.workers)
    print(json.dumps({"cpu_s": time.process_time() - cpu, "jobs": jobs}), flush=True)
    return 0


def _cpu_per_job(since: float, jobs: int) -> float:
    return round((time.process_time() - since) / max(jobs, 1) * 1e6, 1)


def _line(label: str, stats: dict[str, Any]) -> str:
    return (
        f"{label:<36} {stats['jobs_per_s']:>8.1f} jobs/s   "
        f"p50 {stats['latency_p50_ms']:>7.2f} ms   p99 {stats['latency_p99_ms']:>8.2f} ms   "
        f"CPU/job worker {stats['worker_cpu_us_per_job']:>5.0f} us, "
        f"gateway {stats['gateway_cpu_us_per_job']:>5.0f} us   "
        f"({stats['completed']}/{stats['finished']} completed in {stats['elapsed_s']} s; "
        f"pushed {stats.get('pushed', 0)}, yielded {stats.get('yielded', 0)})"
    )


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return max(runs, key=lambda stats: stats["jobs_per_s"])


def _ratio(name: str, value: float, target: float) -> str:
    verdict = "reached" if value >= target else "NOT REACHED"
    return f"ratio {name}: {value:.2f} (target >= {target}: {verdict})"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores"


async def main_async(args: argparse.Namespace) -> int:
    started = time.monotonic()
    # pyzeebe warns on every poll that finds max_running_jobs in flight.
    logging.getLogger("pyzeebe").setLevel(logging.ERROR)
    print(
        f"{args.jobs} jobs per run, {args.rounds} round(s) of (a) (b) (c); Switchboard on "
        f"{args.loop}, bare pyzeebe on {args.bare_loop}; arrival "
        f"{args.arrival}; max_jobs_to_activate={args.max_activate}, "
        f"max_running_jobs={args.max_running}; database {args.database_url}; {_load()}",
        flush=True,
    )
    if args.replicas > 1:
        return await replicas_main(args, started)
    transports = {t.strip() for t in args.transports.split(",")}
    if "grpc" not in transports:
        if "rest" in transports:
            await rest_section(args, _line)
        print(f"total bench time {time.monotonic() - started:.1f} s", flush=True)
        return 0
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "stream": [], "poll": []}
    labels = {
        "bare": "(a) bare pyzeebe, no-op, polling",
        "stream": "(b) Switchboard streaming, echo+history",
        "poll": "(c) Switchboard polling, echo+history",
    }
    if args.only:  # one run in this process (a child of the orchestrating run)
        if args.only == "bare":
            stats = await run_bare_pyzeebe(args)
        else:
            stats = await run_switchboard(args, stream=args.only == "stream")
        print(_line(labels[args.only], stats), flush=True)
        print("RESULT " + json.dumps(stats), flush=True)
        return 0
    for round_no in range(1, args.rounds + 1):
        for key in ("bare", "stream", "poll"):
            # Each run in a process of its own, on the event loop it is meant to run on.
            stats = await _child_run(args, key)
            runs[key].append(stats)
            print(_line(f"[{round_no}] {labels[key]}", stats), flush=True)
            if key != "bare":
                print(
                    f"    history rows written {stats['history_written']}, dropped "
                    f"{stats['history_dropped']}, queue drained {stats['history_flush_after_s']} s "
                    f"after the last job; jobs taken from the stream {stats['streamed']}",
                    flush=True,
                )
    best = {key: _best(value) for key, value in runs.items()}
    print(f"best of {args.rounds} round(s); {_load()}:", flush=True)
    for key in ("bare", "stream", "poll"):
        print(_line(labels[key], best[key]), flush=True)
    bare = best["bare"]["jobs_per_s"] or 1.0
    stream_ratio = best["stream"]["jobs_per_s"] / bare
    poll_ratio = best["poll"]["jobs_per_s"] / bare
    print(_ratio("streaming / bare pyzeebe", stream_ratio, 1.2), flush=True)
    print(_ratio("polling / bare pyzeebe", poll_ratio, 1.0), flush=True)
    if "rest" in transports and not args.only:
        await rest_section(args, _line)
    print(f"total bench time {time.monotonic() - started:.1f} s", flush=True)
    if args.json:
        print(
            json.dumps(
                {
                    "runs": runs,
                    "ratio_streaming": round(stream_ratio, 3),
                    "ratio_polling": round(poll_ratio, 3),
                }
            )
        )
    return 0


async def _child_run(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    loop = args.bare_loop if mode == "bare" else args.loop
    command = [
        sys.executable,
        str(ROOT / "bench" / "throughput.py"),
        "--only",
        mode,
        "--loop",
        loop,
        "--jobs",
        str(args.jobs),
        "--arrival",
        args.arrival,
        "--max-activate",
        str(args.max_activate),
        "--max-running",
        str(args.max_running),
        "--request-timeout-ms",
        str(args.request_timeout_ms),
        "--max-seconds",
        str(args.max_seconds),
        "--database-url",
        args.database_url,
    ]
    proc = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, _ = await proc.communicate()
    for line in out.decode().splitlines():
        if line.startswith("RESULT "):
            stats: dict[str, Any] = json.loads(line[len("RESULT ") :])
            stats["loop"] = loop
            return stats
    raise RuntimeError(f"{mode} run failed (exit {proc.returncode})")


async def replicas_main(args: argparse.Namespace, started: float) -> int:
    results: dict[int, list[dict[str, Any]]] = {1: [], args.replicas: []}
    for round_no in range(1, args.rounds + 1):
        for count in (1, args.replicas):
            stats = await run_replicas(args, count)
            results[count].append(stats)
            print(_line(f"[{round_no}] Switchboard x{count} process(es)", stats), flush=True)
            print(f"    jobs run per replica: {stats['jobs_per_replica']}", flush=True)
    one, many = _best(results[1]), _best(results[args.replicas])
    print(f"best of {args.rounds} round(s); {_load()}:", flush=True)
    print(f"jobs/s with 1 replica: {one['jobs_per_s']:.1f}", flush=True)
    print(f"jobs/s with {args.replicas} replicas: {many['jobs_per_s']:.1f}", flush=True)
    print(
        f"scale-out factor {args.replicas} / 1 replica: "
        f"{many['jobs_per_s'] / (one['jobs_per_s'] or 1.0):.2f} (with {os.cpu_count()} cores "
        "shared by the gateway, PostgreSQL and every replica)",
        flush=True,
    )
    print(f"total bench time {time.monotonic() - started:.1f} s", flush=True)
    return 0


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
    parser.add_argument(
        "--arrival",
        choices=("chain", "batch"),
        default="chain",
        help="chain: jobs created as others finish (default); batch: all seeded up front",
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="N > 1: compare 1 and N worker processes"
    )
    parser.add_argument(
        "--only", choices=("bare", "stream", "poll"), help="run one worker only (profiling)"
    )
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="uvloop",
        help="event loop of the Switchboard runs (uvloop: as `switchboard serve` runs, "
        "uvicorn picks it when installed)",
    )
    parser.add_argument(
        "--bare-loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop of the bare pyzeebe run (asyncio: as pyzeebe documents it)",
    )
    parser.add_argument("--worker-process", metavar="ADDRESS", help=argparse.SUPPRESS)
    parser.add_argument("--polling", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_process:
        return _run(worker_process(args), args.loop)
    return _run(main_async(args), args.loop)


def _run(main: Any, loop: str) -> int:
    if loop == "uvloop":
        import uvloop

        return int(uvloop.run(main))
    return asyncio.run(main)


if __name__ == "__main__":
    sys.exit(main())
