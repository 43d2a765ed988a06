"""Memory soak of Switchboard's Zeebe worker: 100,000 echo jobs, worker RSS at 10k and 100k.

The test gateway (tests/support/gateway.py) runs in its own process and creates jobs as a
process engine would (``--chain``: each finished job creates the next one); this process
runs ZeebeService + ConnectorRuntime (echo) + HistoryWriter to PostgreSQL on uvloop, as
``switchboard serve`` does, and reads its own resident set size (``VmRSS``) when 10,000 and
when all jobs have finished. Growth under 10 % passes.

Usage (from the repository root)::

    .venv/bin/python bench/soak.py                  # 100,000 jobs (2-4 min)
    .venv/bin/python bench/soak.py --jobs 20000     # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `python bench/<x>.py` puts bench/ first on sys.path, where bench/http.py would shadow the
# standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.db.migrate import upgrade  # noqa: E402
from bench.throughput import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    GatewayProcess,
    SwitchboardWorker,
    _run,
)
from connectors.echo import echo  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def soak(args: argparse.Namespace) -> int:
    logging.getLogger("pyzeebe").setLevel(logging.ERROR)
    await upgrade(args.database_url)
    started = time.monotonic()
    samples: dict[int, float] = {}
    async with GatewayProcess(args.jobs, echo.type, args.max_seconds, args.max_running) as gw:
        worker = SwitchboardWorker(args, gw.address, stream=not args.polling)
        async with worker:
            report = asyncio.ensure_future(gw.report())
            marks = sorted(
                {min(args.first_mark, args.jobs), args.jobs}
                | set(range(args.every, args.jobs, args.every) if args.every else ())
            )
            snapshots: list[tracemalloc.Snapshot] = []
            peak_queue = 0
            while not report.done():
                done = sum(w.finished for w in worker.service.workers)
                peak_queue = max(peak_queue, worker.history.queue_depth)
                for mark in marks:
                    if mark not in samples and done >= mark:
                        gc.collect()
                        samples[mark] = rss_mib()
                        if args.trace and mark in (marks[0], marks[-1]):
                            snapshots.append(tracemalloc.take_snapshot())
                        print(
                            f"{done:>7} jobs finished: worker RSS {samples[mark]:.1f} MiB "
                            f"(history queue peak since the last line: {peak_queue} rows)",
                            flush=True,
                        )
                        peak_queue = 0
                await asyncio.wait({report}, timeout=0.05)
            stats = report.result()
            gc.collect()
            samples.setdefault(args.jobs, rss_mib())
        print(
            f"history rows written {worker.stats['history_written']}, dropped "
            f"{worker.stats['history_dropped']}",
            flush=True,
        )
    if args.trace and len(snapshots) == 2:
        print("top allocation growth between the first and the last mark:", flush=True)
        for diff in snapshots[1].compare_to(snapshots[0], "lineno")[:15]:
            print(f"  {diff}", flush=True)
    first, last = samples[marks[0]], samples[args.jobs]
    growth = (last - first) / first * 100 if first else 0.0
    verdict = "OK" if growth < 10 else "ABOVE 10 %"
    print(
        f"{stats['completed']}/{args.jobs} completed at {stats['jobs_per_s']} jobs/s; "
        f"RSS {first:.1f} MiB at {marks[0]} -> {last:.1f} MiB at {args.jobs}: "
        f"growth {growth:+.1f} % ({verdict}); {time.monotonic() - started:.0f} s; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return 0 if growth < 10 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--first-mark", type=int, default=10_000)
    parser.add_argument("--max-activate", type=int, default=32)
    parser.add_argument("--max-running", type=int, default=64)
    parser.add_argument("--request-timeout-ms", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=1200.0)
    parser.add_argument("--polling", action="store_true", help="streaming off")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="uvloop")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SWITCHBOARD_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--every", type=int, default=0, help="also print RSS every N jobs")
    parser.add_argument("--trace", action="store_true", help="tracemalloc growth report")
    parser.add_argument(
        "--default-malloc",
        action="store_true",
        help="keep glibc's default arenas (the image and `make run` set MALLOC_ARENA_MAX=2)",
    )
    args = parser.parse_args(argv)
    if not args.default_malloc and "MALLOC_ARENA_MAX" not in os.environ and argv is None:
        # glibc reads it at start: run again as the product runs (Dockerfile, make run).
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    print(f"MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', '(glibc default)')}")
    if args.trace:
        tracemalloc.start(3)
    return _run(soak(args), args.loop)


if __name__ == "__main__":
    sys.exit(main())
