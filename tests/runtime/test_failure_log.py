from __future__ import annotations

import logging

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Fail, Job
from connectors.echo import echo


async def test_failure_log_line_never_quotes_the_evaluated_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime = ConnectorRuntime({echo.type: echo})
    job = Job.create(
        type=echo.type,
        variables={"name": "bob-pii"},
        custom_headers={"resultExpression": "=name"},
    )
    try:
        with caplog.at_level(logging.INFO, logger="app.runtime"):
            outcome = (await runtime.execute(job)).outcome
    finally:
        runtime.close()
    assert isinstance(outcome, Fail) and outcome.retries == 0
    assert "bob-pii" in outcome.message  # Zeebe and history get the whole message
    assert "must return a JSON object" in caplog.text
    assert "bob-pii" not in caplog.text
