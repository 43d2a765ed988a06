"""Webhook throughput: requests per second and latency percentiles of ``/inbound/{context}``
at 32 concurrent clients, each request correlated through the test gateway (real HTTP, real
gRPC).

Three processes: the test gateway (tests/support/gateway.py), ``switchboard serve`` (SQLite or
PostgreSQL history, Zeebe at the gateway) and this one, the load generator. The webhook is a
start event shaped like Camunda's official webhook start-event template (result expression
mapping the body), deployed through ``POST /api/v1/deployments``; every request creates one
process instance.

Usage (from the repository root)::

    .venv/bin/python bench/webhooks.py                      # 32 clients, 5,000 requests
    .venv/bin/python bench/webhooks.py --requests 1000      # quick
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `python bench/<x>.py` puts bench/ first on sys.path, where bench/http.py would shadow the
# standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402
from xml.sax.saxutils import quoteattr  # noqa: E402

import httpx  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN_KEY = "sb_bench-admin-key-" + "b" * 32
LOG = Path(tempfile.gettempdir()) / "bench-webhooks-serve.log"
PROPERTIES = {
    "inbound.type": "io.camunda:webhook:1",
    "inbound.method": "any",
    "inbound.context": "bench",
    "inbound.shouldValidateHmac": "disabled",
    "inbound.auth.type": "NONE",
    "consumeUnmatchedEvents": "true",
    "synchronousResponse": "false",
    "deduplicationModeManualFlag": "false",
    "deduplicationMode": "AUTO",
    "resultVariable": "",
    "resultExpression": "={orderId: request.body.orderId, amount: request.body.amount}",
}


def bpmn() -> bytes:
    props = "".join(
        f"<zeebe:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in PROPERTIES.items()
    )
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">'
        '<bpmn:process id="bench" isExecutable="true"><bpmn:startEvent id="hook">'
        f"<bpmn:extensionElements><zeebe:properties>{props}</zeebe:properties>"
        "</bpmn:extensionElements></bpmn:startEvent></bpmn:process></bpmn:definitions>"
    ).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def gateway() -> AsyncIterator[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.gateway",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
    try:
        yield line.split()[1]
    finally:
        proc.terminate()
        await proc.wait()


@contextlib.asynccontextmanager
async def switchboard(address: str, database_url: str) -> AsyncIterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SWITCHBOARD_DATABASE_URL": database_url,
        "ZEEBE_ADDRESS": address,
        "SWITCHBOARD_PORT": str(port),
        "SWITCHBOARD_ADMIN_API_KEY": ADMIN_KEY,
        "SWITCHBOARD_LOG_LEVEL": "WARNING",
        "SWITCHBOARD_UI_ENABLED": "false",
    }
    migrate = await asyncio.create_subprocess_exec(str(BIN / "switchboard"), "migrate", env=env)
    assert await migrate.wait() == 0
    log = await asyncio.to_thread(LOG.open, "wb")
    proc = await asyncio.create_subprocess_exec(
        str(BIN / "switchboard"), "serve", env=env, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(1200):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/health/live")).status_code == 200:
                    break
            await asyncio.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        await proc.wait()
        log.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def load(url: str, requests: int, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    remaining = iter(range(requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        for n in range(min(200, requests)):  # warm-up, not measured
            await http.post("/inbound/bench", json={"orderId": f"w-{n}", "amount": n})

        async def client() -> None:
            nonlocal failures
            for n in remaining:
                started = time.perf_counter()
                response = await http.post(
                    "/inbound/bench", json={"orderId": f"o-{n}", "amount": n}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "failed": failures,
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        async with gateway() as address, switchboard(address, database_url) as url:
            async with httpx.AsyncClient() as http:
                deployed = await http.post(
                    f"{url}/api/v1/deployments",
                    files=[("resources", ("bench.bpmn", bpmn(), "application/xml"))],
                    headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                )
                deployed.raise_for_status()
            result = await load(url, args.requests, args.clients)
    result["history"] = "postgresql" if "postgres" in database_url else "sqlite"
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--database-url", help="history database (default: a temporary SQLite file)"
    )
    asyncio.run(main(parser.parse_args()))
