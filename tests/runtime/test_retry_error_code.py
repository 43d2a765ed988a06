from __future__ import annotations

from datetime import timedelta

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Fail, Job
from connectors.sdk import ConnectorRetryError, outbound_connector


@outbound_connector(name="retry", type="test:retry-no-code:1")
def retry_without_code() -> None:
    raise ConnectorRetryError("try later", retries=5, backoff=timedelta(seconds=2))


async def test_retry_error_without_code_has_no_error_code() -> None:
    # Camunda's ConnectorRetryException leaves the error code unset unless given.
    runtime = ConnectorRuntime({retry_without_code.type: retry_without_code})
    try:
        outcome = (
            await runtime.execute(Job.create(type=retry_without_code.type, retries=3))
        ).outcome
    finally:
        runtime.close()
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms, outcome.error_code) == (5, 2000, None)
    assert "code" not in outcome.variables["error"]
    assert outcome.variables["error"]["message"] == "try later"
