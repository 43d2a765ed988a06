"""The FEEL limits a deployment may tune reach the interpreter through the runtime's settings,
and a result expression past them fails the job as any failing result expression does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.feel import limits
from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Fail, Job
from app.settings import Settings
from connectors.echo import echo


@pytest.fixture
def restore_limits() -> Iterator[None]:
    saved = (limits.MAX_STEPS, limits.MAX_LIST_LENGTH, limits.MAX_SECONDS)
    yield
    limits.configure(max_steps=saved[0], max_list_length=saved[1], max_seconds=saved[2])


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings(_env_file=None)
    assert (settings.feel_max_steps, settings.feel_max_list_length) == (3_000_000, 2_000_000)
    assert settings.feel_timeout_seconds == 2.0


async def test_settings_configure_the_interpreter(
    restore_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_FEEL_MAX_LIST_LENGTH", "5000")
    monkeypatch.setenv("SWITCHBOARD_FEEL_MAX_STEPS", "100000")
    monkeypatch.setenv("SWITCHBOARD_FEEL_TIMEOUT_SECONDS", "1.5")
    runtime = ConnectorRuntime.from_settings({echo.type: echo}, Settings(_env_file=None))
    try:
        assert (limits.MAX_LIST_LENGTH, limits.MAX_STEPS, limits.MAX_SECONDS) == (
            5000,
            100_000,
            1.5,
        )
        job = Job.create(
            echo.type,
            {"n": 1},
            custom_headers={"resultExpression": "={xs: for x in 1..6000 return x}"},
            retries=3,
        )
        result = await runtime.execute(job)
        assert isinstance(result.outcome, Fail)
        assert result.outcome.retries == 2
        assert "range 1..6000 has more than 5000 elements" in result.outcome.message
    finally:
        runtime.close()
