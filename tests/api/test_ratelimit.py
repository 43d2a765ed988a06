"""The limit on failed authentications: the limiter itself on a fake clock, then the API and
the UI sign-in refusing an address with 429 + Retry-After and letting it in again."""

from __future__ import annotations

import re

import httpx
import pytest

from app.ratelimit import FailureLimiter
from app.settings import SettingsError, load_settings
from tests.api.harness import client, running_app
from tests.support.app import StartedApp

WRONG = "sb_wrong-key-" + "w" * 40


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_blocks_after_max_failures_until_the_oldest_leaves_the_window() -> None:
    clock = FakeClock()
    limiter = FailureLimiter(3, 60, clock=clock)
    for _ in range(2):
        limiter.failed("a")
        clock.now += 10
    assert limiter.retry_after("a") is None
    limiter.failed("a")  # failures at 1000, 1010, 1020
    clock.now = 1025
    assert limiter.retry_after("a") == 35
    assert limiter.retry_after("b") is None  # per address
    clock.now = 1059.5
    assert limiter.retry_after("a") == 1  # rounded up, never 0
    clock.now = 1060  # the failure at 1000 has left the window: one more try
    assert limiter.retry_after("a") is None
    limiter.failed("a")
    assert limiter.retry_after("a") == 10  # blocked until 1010 leaves
    clock.now = 1200
    assert limiter.retry_after("a") is None and limiter.tracked() == 0


def test_limiter_memory_is_bounded_and_zero_turns_it_off() -> None:
    clock = FakeClock()
    limiter = FailureLimiter(1, 60, max_clients=3, clock=clock)
    for n in range(5):
        limiter.failed(f"10.0.0.{n}")
        clock.now += 1
    assert limiter.tracked() == 3
    # The least recently failing addresses were forgotten; the latest are still blocked.
    assert limiter.retry_after("10.0.0.0") is None
    assert limiter.retry_after("10.0.0.4") is not None
    clock.now += 60
    limiter.failed("10.0.0.9")  # expired entries go first
    assert limiter.tracked() == 1

    off = FailureLimiter(0, 60, clock=clock)
    for _ in range(100):
        off.failed("a")
    assert off.retry_after("a") is None and off.tracked() == 0


def test_settings_are_validated_with_their_variable_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SWITCHBOARD_AUTH_MAX_FAILURES", "-1")
    monkeypatch.setenv("SWITCHBOARD_AUTH_FAILURE_WINDOW_SECONDS", "0")
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    message = str(raised.value)
    assert "SWITCHBOARD_AUTH_MAX_FAILURES: Input should be greater than or equal to 0" in message
    assert "SWITCHBOARD_AUTH_FAILURE_WINDOW_SECONDS" in message


def _from(app: StartedApp, address: str, key: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers)


async def test_api_refuses_an_address_sending_invalid_keys(
    migrated: str, keys: dict[str, str]
) -> None:
    clock = FakeClock()
    async with running_app(migrated, auth_max_failures=3, auth_failure_window_seconds=60) as app:
        app.services.auth_limiter.clock = clock
        async with _from(app, "10.1.0.1") as anonymous:
            # No key at all is not a guess: it does not count.
            for _ in range(5):
                assert (await anonymous.get("/api/v1/connectors")).status_code == 401
        async with _from(app, "10.1.0.1", WRONG) as guesser:
            first = [(await guesser.get("/api/v1/connectors")).status_code for _ in range(3)]
            blocked = await guesser.get("/api/v1/connectors")
        async with _from(app, "10.1.0.1", keys["viewer"]) as same_address:
            right_key_blocked = await same_address.get("/api/v1/connectors")
        async with _from(app, "10.1.0.2", keys["viewer"]) as elsewhere:
            other_address = await elsewhere.get("/api/v1/connectors")
        clock.now += 60
        async with _from(app, "10.1.0.1", keys["viewer"]) as same_address:
            later = await same_address.get("/api/v1/connectors")

    assert first == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "60"
    assert blocked.headers["content-type"] == "application/problem+json"
    assert "retry in 60 s" in blocked.json()["detail"]
    # A valid key is never refused because others failed from its address (issue 15 point 4,
    # issue 19 point 9: this used to be 429, "checked before the key").
    assert right_key_blocked.status_code == 200
    assert other_address.status_code == 200
    assert later.status_code == 200


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


async def test_sign_in_is_limited_per_address(migrated: str, keys: dict[str, str]) -> None:
    clock = FakeClock()
    async with running_app(migrated, auth_max_failures=2, auth_failure_window_seconds=120) as app:
        app.services.auth_limiter.clock = clock
        async with _from(app, "10.2.0.1") as browser:
            token = _token((await browser.get("/ui/login")).text)

            async def sign_in(key: str) -> httpx.Response:
                return await browser.post("/ui/login", data={"api_key": key, "csrf_token": token})

            wrong = [await sign_in(WRONG) for _ in range(2)]
            clock.now += 30
            blocked = await sign_in(WRONG + "-other")
            # A valid key is never refused for others' failures (issue 15 point 4).
            allowed = await sign_in(keys["viewer"])

    assert [r.status_code for r in wrong] == [401, 401]
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "90"
    assert "Too many failed sign-ins" in blocked.text and "try again in 90 s" in blocked.text
    assert "sb_session" not in blocked.headers.get("set-cookie", "")
    assert allowed.status_code == 303
    assert "sb_session=" in allowed.headers.get("set-cookie", "")


async def test_openapi_documents_429_with_retry_after(app: StartedApp) -> None:
    async with client(app) as c:
        schema = (await c.get("/openapi.json")).json()
    listing = schema["paths"]["/api/v1/executions"]["get"]["responses"]
    assert "Retry-After" in listing["429"]["headers"]
    assert "429" not in schema["paths"]["/health/live"]["get"]["responses"]
