from __future__ import annotations

from app.runtime.executor import ConnectorRuntime, RuntimeLimits
from app.runtime.model import Fail, Job
from app.runtime.secrets_hook import StaticSecretResolver
from connectors.echo import echo

JOB = Job.create(
    type=echo.type,
    variables={"fail_code": "E1", "fail_message": "code {{secrets.PIN}}x refused"},
    retries=3,
)


async def _message(limits: RuntimeLimits) -> str:
    runtime = ConnectorRuntime(
        {echo.type: echo}, secrets=StaticSecretResolver({"PIN": "abc"}), limits=limits
    )
    try:
        outcome = (await runtime.execute(JOB)).outcome
    finally:
        runtime.close()
    assert isinstance(outcome, Fail)
    return outcome.message


async def test_short_secret_inside_a_word_is_masked_when_the_threshold_allows() -> None:
    assert await _message(RuntimeLimits(mask_min_length=3)) == "code ***x refused"


async def test_short_secret_inside_a_word_is_kept_below_the_default_threshold() -> None:
    # Values shorter than the threshold are masked only where they stand alone.
    assert await _message(RuntimeLimits()) == "code abcx refused"
