"""Nothing read before authentication, bounded bodies, and no 500 on hostile input (issue 15
points 0-2): each test reproduces a defect that was measured before the fix."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.db.models import ExecutionRow
from tests.api.harness import ADMIN_KEY, client, running_app, serving
from tests.support.app import StartedApp

ECHO = "switchboard:echo:1"
MiB = 1024 * 1024


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


async def _raw_request(url: str, head: str, body_chunks: int, chunk: bytes) -> tuple[int, float]:
    """Send ``head`` and up to ``body_chunks`` chunks of a body over a plain socket, then read
    the status line. Returns (status, seconds until the answer)."""
    host, port = url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    started = loop.time()
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(head.encode("latin-1"))
    try:
        for _ in range(body_chunks):
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 2)
    except (TimeoutError, ConnectionError):
        pass  # the server stopped reading: exactly what it should do
    line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    status = int(line.split()[1])
    return status, loop.time() - started


async def test_a_200_mb_upload_without_a_key_is_refused_before_it_is_read(
    migrated: str,
) -> None:
    async with running_app(migrated) as app, serving(app) as url:
        before = _rss_bytes()
        head = (
            f"POST /api/v1/connectors/{ECHO}/invoke HTTP/1.1\r\nHost: test\r\n"
            f"Content-Type: application/json\r\nContent-Length: {200 * MiB}\r\n\r\n"
        )
        status, _ = await _raw_request(url, head, body_chunks=20, chunk=b"x" * MiB)
        grown = _rss_bytes() - before
        with_key = head.replace(
            "Host: test\r\n", f"Host: test\r\nAuthorization: Bearer {ADMIN_KEY}\r\n"
        )
        status_with_key, _ = await _raw_request(url, with_key, body_chunks=20, chunk=b"x" * MiB)
    assert status == 401
    assert status_with_key == 413
    assert grown < 20 * MiB, f"server memory grew by {grown / MiB:.1f} MiB"


async def test_a_streamed_body_past_the_limit_is_413_with_a_problem(migrated: str) -> None:
    async with running_app(migrated, max_request_bytes=64 * 1024) as app:

        async def chunks():  # type: ignore[no-untyped-def]
            yield b'{"variables": {"a": "'
            for _ in range(100):
                yield b"y" * 1024
            yield b'"}}'

        async with client(app, ADMIN_KEY) as c:
            response = await c.post(
                f"/api/v1/connectors/{ECHO}/invoke",
                content=chunks(),
                headers={"content-type": "application/json"},
            )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "larger than the limit of 65536 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"variables": {"a": NaN}}', "NaN is not a JSON value"),
        ('{"variables": {"a": -Infinity}}', "-Infinity is not a JSON value"),
        ('{"variables": {"a": 1e999}}', "number 1e999 is too large"),
        ('{"variables": {"a": "\\ud800"}}', "lone surrogate \\ud800"),
        ('{"variables": {"a": ' + "9" * 5000 + "}}", "number with 5000 characters"),
        ('{"variables": ' + "[" * 200 + "]" * 200 + "}", "nested deeper than 128 levels"),
    ],
    ids=["nan", "infinity", "huge-float", "lone-surrogate", "huge-int", "deep"],
)
async def test_hostile_json_is_422_and_never_recorded(
    app: StartedApp, keys: dict[str, str], body: str, reason: str
) -> None:
    history = app.services.history
    submitted_before = history.written + history.queue_depth + history.dropped
    async with app.services.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(ExecutionRow))
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            content=body.encode(),
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 422, response.text
    problem = response.json()
    [error] = problem["errors"]
    assert error["field"] == "body" and error["location"] == "body"
    assert reason in error["reason"], error["reason"]
    assert re.match(r"invalid JSON at position \d+: ", error["reason"])
    # Nothing was run, so no history row can claim an outcome the caller never got.
    assert history.written + history.queue_depth + history.dropped == submitted_before
    async with app.services.sessions() as session:
        after = await session.scalar(select(func.count()).select_from(ExecutionRow))
    assert after == before


async def test_invalid_utf8_is_422(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["operator"]) as c:
        response = await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            content=b'{"variables": {"a": "\xff\xfe"}}',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize("name", ["\x1c", "a\x1fb", "x\x00", "\x7f", "   "])
async def test_api_key_names_with_control_characters_are_422(
    app: StartedApp, keys: dict[str, str], name: str
) -> None:
    async with client(app, keys["admin"]) as c:
        response = await c.post("/api/v1/api-keys", json={"name": name, "role": "viewer"})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "name"
    assert "Value error" not in error["reason"]


async def test_405_names_every_method_of_the_path(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["admin"]) as c:
        keys_path = await c.patch("/api/v1/api-keys")
        secret_path = await c.post("/api/v1/secrets/X")
    assert keys_path.status_code == 405
    assert keys_path.headers["allow"] == "GET, POST"
    assert secret_path.headers["allow"] == "DELETE, PUT"


async def test_a_valid_key_is_accepted_whatever_others_failed(
    migrated: str, keys: dict[str, str]
) -> None:
    async with running_app(migrated, auth_max_failures=2) as app:
        async with client(app, "sb_wrong-" + "q" * 40) as wrong:
            statuses = [(await wrong.get("/api/v1/connectors")).status_code for _ in range(3)]
        async with client(app, keys["viewer"]) as right:
            accepted = await right.get("/api/v1/connectors")
    assert statuses == [401, 401, 429]
    assert accepted.status_code == 200


async def test_one_wrong_key_is_limited_across_addresses(migrated: str) -> None:
    wrong = "sb_wrong-" + "r" * 40
    async with running_app(migrated, auth_max_failures=2) as app:
        statuses = []
        for address in ("10.9.0.1", "10.9.0.2", "10.9.0.3"):
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://test",
                headers={"Authorization": f"Bearer {wrong}"},
            ) as c:
                statuses.append((await c.get("/api/v1/connectors")).status_code)
    # Counted per key fingerprint as well as per address: the third try of this key is 429.
    assert statuses == [401, 401, 429]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve(env: dict[str, str], tmp_path: Path) -> tuple[asyncio.subprocess.Process, str]:
    import os
    import sys

    port = _free_port()
    database = tmp_path / "serve.db"
    full = {
        **os.environ,
        "SWITCHBOARD_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "SWITCHBOARD_PORT": str(port),
        "SWITCHBOARD_AUTH_MAX_FAILURES": "2",
        **env,
    }
    full.pop("ZEEBE_ADDRESS", None)
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "migrate", env=full, cwd=tmp_path
    )
    assert await migrate.wait() == 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        env=full,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as c:
        for _ in range(200):
            try:
                if (await c.get(f"{url}/health/live")).status_code == 200:
                    return proc, url
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    proc.kill()
    raise AssertionError("switchboard serve did not answer within 20 s")


@pytest.mark.parametrize(
    ("trusted", "expected"), [("", [401, 401, 429]), ("127.0.0.1", [401, 401, 401])]
)
async def test_forwarded_addresses_count_only_from_trusted_proxies(
    tmp_path: Path, trusted: str, expected: list[int]
) -> None:
    import os

    env = {"SWITCHBOARD_TRUSTED_PROXIES": trusted} if trusted else {}
    # The test's own environment must not decide this.
    os.environ.pop("FORWARDED_ALLOW_IPS", None)
    proc, url = await _serve(env, tmp_path)
    try:
        statuses = []
        async with httpx.AsyncClient() as c:
            for n in range(3):
                response = await c.get(
                    f"{url}/api/v1/connectors",
                    headers={
                        "Authorization": f"Bearer sb_wrong-{n}-" + "z" * 40,
                        "X-Forwarded-For": f"198.51.100.{n + 1}",
                    },
                )
                statuses.append(response.status_code)
    finally:
        proc.terminate()
        await proc.wait()
    # Untrusted: a rotating X-Forwarded-For from loopback is ignored, the limit holds.
    assert statuses == expected


async def test_ready_answers_in_bounded_time_when_a_check_hangs() -> None:
    from app.health import HealthRegistry

    registry = HealthRegistry(timeout=0.3)

    async def hung() -> dict[str, str]:
        await asyncio.Event().wait()
        return {"status": "up"}

    async def fine() -> dict[str, str]:
        return {"status": "up"}

    registry.add("vault", hung)
    registry.add("database", fine)
    loop = asyncio.get_running_loop()
    started = loop.time()
    ready, report = await registry.report()
    took = loop.time() - started
    assert not ready and report["components"]["vault"]["status"] == "down"
    assert report["components"]["database"]["status"] == "up"
    assert took < 1.0


def test_bodies_of_hostile_json_never_reach_python_floats() -> None:
    from app.api.strict_json import loads_strict

    assert loads_strict(b'{"a": 1.5, "b": [1, "x"]}') == {"a": 1.5, "b": [1, "x"]}
    for text in ("NaN", "[Infinity]", '{"a": -Infinity}', "1e400"):
        with pytest.raises(json.JSONDecodeError):
            loads_strict(text)
