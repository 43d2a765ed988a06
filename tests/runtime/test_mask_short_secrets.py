"""A resolved secret is masked wherever it appears in a job's output, whatever its length
(camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
connector/runtime/outbound/job/OutboundConnectorExceptionHandler.java, hideSecretsFromMessage:
``message.replace(secret, "***")``). Switchboard used to mask values shorter than
SWITCHBOARD_SECRETS_MASK_MIN_LENGTH only where they stood alone; that setting is gone."""

from __future__ import annotations

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Fail, Job
from app.runtime.secrets_hook import StaticSecretResolver
from connectors.echo import echo

JOB = Job.create(
    type=echo.type,
    variables={"fail_code": "E1", "fail_message": "code {{secrets.PIN}}x refused"},
    retries=3,
)


async def test_short_secret_inside_a_word_is_masked() -> None:
    runtime = ConnectorRuntime({echo.type: echo}, secrets=StaticSecretResolver({"PIN": "abc"}))
    try:
        result = await runtime.execute(JOB)
    finally:
        runtime.close()
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    assert outcome.message == "code ***x refused"
    assert outcome.variables["error"]["message"] == "code ***x refused"
    assert "abc" not in str(result.record.input) + str(result.record.outcome)
