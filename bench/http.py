"""HTTP client throughput: raw aiohttp, raw httpx and the REST connector through the runtime.

One aiohttp server runs in its own process on loopback (plain HTTP and HTTPS, a small JSON
answer). In this process, side by side and in alternating rounds, three clients call it
with 1, 8, 32 and 128 requests in flight:

- raw aiohttp: one ``aiohttp.ClientSession`` (its default pool of 100), ``read()`` + JSON;
- raw httpx: one ``httpx.AsyncClient`` (its default pool of 100), ``.json()``;
- the REST connector: ``ConnectorRuntime.execute`` of an ``io.camunda:http-json:1`` job
  with a ``resultVariable`` header, the path a Zeebe job takes without the gateway.

For each cell: requests/s, p50/p99 latency and the CPU time of this process per request;
the best of the rounds counts. The ratio lines compare the connector to the raw clients at
32 in flight over plain HTTP (targets of issue 21: >= 0.35 x aiohttp, >= 6 x httpx).

Usage (from the repository root)::

    .venv/bin/python bench/http.py                   # 2 rounds, 2 s per cell (about 2 min)
    .venv/bin/python bench/http.py --seconds 1 --rounds 1 --concurrency 32
    .venv/bin/python bench/http.py --profile pyinstrument --concurrency 32 --clients rest
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# `python bench/http.py` puts bench/ first on sys.path, where this file would shadow the
# standard library's `http` package that aiohttp and httpx import.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import ssl  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

PAYLOAD = json.dumps({"order": {"id": "A-1", "amount": 12.5, "items": [1, 2, 3]}}).encode()
CLIENTS = ("aiohttp", "httpx", "rest")
LABELS = {"aiohttp": "raw aiohttp", "httpx": "raw httpx", "rest": "rest connector"}

Request = Callable[[], Awaitable[None]]


# --- the server (its own process) -----------------------------------------------------------


def serve(cert: str, key: str) -> None:
    """Serve ``/json`` over HTTP and HTTPS on 127.0.0.1; print the ports; stop on EOF."""
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=PAYLOAD, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/json", answer)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        plain = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        secure = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context, backlog=1024)
        await plain.start()
        await secure.start()
        ports = [site._server.sockets[0].getsockname()[1] for site in (plain, secure)]  # type: ignore[union-attr]
        print(f"PORTS {ports[0]} {ports[1]}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
        await runner.cleanup()

    asyncio.run(main())


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    http_port: int
    https_port: int

    def url(self, scheme: str) -> str:
        port = self.http_port if scheme == "http" else self.https_port
        return f"{scheme}://127.0.0.1:{port}/json"

    def cpu_seconds(self) -> float:
        """utime + stime of the server process, from /proc (Linux)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(cert: str, key: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", cert, key],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode().split()
    if len(line) != 3 or line[0] != "PORTS":
        process.kill()
        raise RuntimeError(f"the bench server did not start: {line!r}")
    return Server(process, int(line[1]), int(line[2]))


# --- the clients ----------------------------------------------------------------------------


class Clients:
    """The three clients, each with its own pool, open for the whole bench."""

    def __init__(self, server: Server, ca_file: str) -> None:
        self.server = server
        self.ca_file = ca_file
        self._closers: list[Callable[[], Awaitable[Any]]] = []
        self._makers: dict[str, Callable[[str], Request]] = {}

    async def open(self, names: tuple[str, ...]) -> None:
        context = ssl.create_default_context(cafile=self.ca_file)
        if "aiohttp" in names:
            import aiohttp

            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100, ssl=context))
            self._closers.append(session.close)

            def aiohttp_request(url: str) -> Request:
                async def call() -> None:
                    async with session.get(url) as response:
                        json.loads(await response.read())
                        assert response.status == 200

                return call

            self._makers["aiohttp"] = aiohttp_request
        if "httpx" in names:
            import httpx

            client = httpx.AsyncClient(verify=context, timeout=httpx.Timeout(60.0, pool=None))
            self._closers.append(client.aclose)

            def httpx_request(url: str) -> Request:
                async def call() -> None:
                    response = await client.get(url)
                    response.json()
                    assert response.status_code == 200

                return call

            self._makers["httpx"] = httpx_request
        if "rest" in names:
            # The operator's CA file, so HTTPS jobs need no clientTls of their own.
            os.environ["SWITCHBOARD_HTTP_CA_FILE"] = self.ca_file
            from app.runtime.executor import ConnectorRuntime
            from app.runtime.model import Complete, Job
            from connectors.http_json import TYPE, http_json

            runtime = ConnectorRuntime({TYPE: http_json})
            shutdown = http_json.extra["shutdown"]

            async def close_runtime() -> None:
                await shutdown()
                runtime.close()

            self._closers.append(close_runtime)

            def rest_request(url: str) -> Request:
                job = Job.create(
                    TYPE,
                    {"method": "GET", "url": url},
                    custom_headers={"resultVariable": "response"},
                )

                async def call() -> None:
                    result = await runtime.execute(job)
                    assert isinstance(result.outcome, Complete), result.outcome
                    assert result.outcome.variables["response"]["status"] == 200

                return call

            self._makers["rest"] = rest_request

    def request(self, name: str, scheme: str) -> Request:
        return self._makers[name](self.server.url(scheme))

    async def close(self) -> None:
        for close in reversed(self._closers):
            await close()


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Cell:
    client: str
    scheme: str
    concurrency: int
    requests: int
    seconds: float
    latencies: list[float]
    cpu: float
    server_cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def cpu_us(self) -> float:
        return self.cpu / max(self.requests, 1) * 1e6

    @property
    def server_cpu_us(self) -> float:
        return self.server_cpu / max(self.requests, 1) * 1e6

    def line(self) -> str:
        return (
            f"{LABELS[self.client]:<15} {self.scheme:<5} {self.concurrency:>4} in flight "
            f"{self.rps:>9.0f} req/s   p50 {self.percentile(0.5):>7.2f} ms   "
            f"p99 {self.percentile(0.99):>7.2f} ms   CPU/req {self.cpu_us:>5.0f} us "
            f"(server {self.server_cpu_us:>4.0f} us)   n={self.requests}"
        )


async def measure(
    request: Request, concurrency: int, seconds: float, server: Server, client: str, scheme: str
) -> Cell:
    # Warm up: open the pool's connections (and TLS sessions) before the clock starts.
    await asyncio.gather(*(request() for _ in range(concurrency)))
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        clock = time.perf_counter
        while clock() < deadline:
            started = clock()
            await request()
            latencies.append(clock() - started)

    cpu, server_cpu, started = time.process_time(), server.cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Cell(
        client,
        scheme,
        concurrency,
        len(latencies),
        elapsed,
        latencies,
        time.process_time() - cpu,
        server.cpu_seconds() - server_cpu,
    )


def best(cells: list[Cell]) -> Cell:
    return max(cells, key=lambda cell: cell.rps)


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()
    except OSError:
        return "unknown"


async def run_bench(args: argparse.Namespace, server: Server, ca_file: str) -> int:
    clients = Clients(server, ca_file)
    names = tuple(args.clients)
    await clients.open(names)
    results: dict[tuple[str, str, int], list[Cell]] = {}
    profiler = _profiler(args.profile)
    try:
        for round_no in range(1, args.rounds + 1):
            # Alternate the order so no client always runs on the warmer (or busier) machine.
            order = names if round_no % 2 else tuple(reversed(names))
            print(f"round {round_no} ({', '.join(order)}), load {load_average()}", flush=True)
            for scheme in args.schemes:
                for concurrency in args.concurrency:
                    for name in order:
                        request = clients.request(name, scheme)
                        if profiler is not None and name == "rest":
                            profiler.start()
                        cell = await measure(
                            request, concurrency, args.seconds, server, name, scheme
                        )
                        if profiler is not None and name == "rest":
                            profiler.stop()
                        results.setdefault((name, scheme, concurrency), []).append(cell)
                        print("  " + cell.line(), flush=True)
    finally:
        await clients.close()
    print(f"best of {args.rounds} round(s), load {load_average()}:")
    for scheme in args.schemes:
        for concurrency in args.concurrency:
            for name in names:
                print("  " + best(results[(name, scheme, concurrency)]).line())

    def rps(name: str, scheme: str, concurrency: int) -> float | None:
        cells = results.get((name, scheme, concurrency))
        return best(cells).rps if cells else None

    rest32 = rps("rest", "http", 32)
    for other in ("aiohttp", "httpx"):
        base = rps(other, "http", 32)
        if rest32 is not None and base:
            print(f"ratio rest connector / raw {other} at 32: {rest32 / base:.2f}")
    rest128 = rps("rest", "http", 128)
    if rest32 and rest128 is not None:
        print(f"ratio rest connector 128 / 32 in flight (http): {rest128 / rest32:.2f}")
    rest_tls = rps("rest", "https", 32)
    if rest32 and rest_tls is not None:
        print(f"ratio rest connector https / http at 32: {rest_tls / rest32:.2f}")
    if profiler is not None:
        profiler.report(args.profile_out)
    if args.json:
        print(
            json.dumps(
                {
                    f"{name}/{scheme}/{c}": {
                        "rps": round(best(cells).rps, 1),
                        "p50_ms": round(best(cells).percentile(0.5), 3),
                        "p99_ms": round(best(cells).percentile(0.99), 3),
                        "cpu_us": round(best(cells).cpu_us, 1),
                        "rounds": [round(cell.rps, 1) for cell in cells],
                    }
                    for (name, scheme, c), cells in results.items()
                }
            )
        )
    return 0


class _Profiler:
    def __init__(self, kind: str) -> None:
        from pyinstrument import Profiler

        self.kind = kind
        self._profiler = Profiler(interval=0.0005, async_mode="disabled")

    def start(self) -> None:
        self._profiler.start()

    def stop(self) -> None:
        self._profiler.stop()

    def report(self, out: str | None) -> None:
        text = self._profiler.output_text(unicode=False, color=False, show_all=False)
        if out:
            Path(out).write_text(text)
            print(f"profile written to {out}")
        else:
            print(text)


def _profiler(kind: str | None) -> _Profiler | None:
    return _Profiler(kind) if kind == "pyinstrument" else None


def make_certificates(directory: str) -> tuple[str, str, str]:
    """A throwaway CA and a server certificate for 127.0.0.1 (trustme, a dev dependency)."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = [os.path.join(directory, name) for name in ("ca.pem", "cert.pem", "key.pem")]
    ca.cert_pem.write_to_path(paths[0])
    cert.private_key_and_cert_chain_pem.write_to_path(paths[1])
    cert.private_key_pem.write_to_path(paths[2])
    return paths[0], paths[1], paths[2]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        serve(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="measured time per cell")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best counts")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 8, 32, 128], help="requests in flight"
    )
    parser.add_argument(
        "--schemes", nargs="+", default=["http", "https"], choices=["http", "https"]
    )
    parser.add_argument("--clients", nargs="+", default=list(CLIENTS), choices=CLIENTS)
    parser.add_argument(
        "--profile",
        choices=["pyinstrument"],
        help="profile the REST connector cells (pyinstrument; py-spy can attach from outside)",
    )
    parser.add_argument("--profile-out", help="write the profile here instead of printing it")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    print(f"load average {load_average()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="switchboard-bench-http-") as directory:
        ca_file, cert, key = make_certificates(directory)
        server = start_server(cert, key)
        try:
            return asyncio.run(run_bench(args, server, ca_file))
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
