"""Failures: retries arithmetic, retryBackoff / jobTimeout headers, the `error` variable a
FailJob carries, the 6000-character cap, and secrets.

Sources (read, not copied):
- [EH] camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
  connector/runtime/outbound/job/OutboundConnectorExceptionHandler.java (exceptionToMap,
  handleGenericException, handleConnectorRetryException, handleBackOffException)
- [JH] .../outbound/job/SpringConnectorJobHandler.java (getBackoffDuration,
  updateJobTimeoutIfPresent, prepareFailJobCommand, MAX_ERROR_MESSAGE_LENGTH = 6000)
- [SH] camunda/connectors connector-runtime/connector-runtime-core/src/main/java/io/camunda/
  connector/runtime/core/secret/SecretHandler.java ("Secret with name '%s' is not available"
  as ConnectorInputException) and SecretUtil.java (placeholder patterns, JSON-escaping)
- [DOC] https://docs.camunda.io/docs/components/connectors/use-connectors/outbound/
  ("Retries", "Retry backoff"); https://docs.camunda.io/docs/components/connectors/
  use-connectors/ ("Using secrets")
- [JAVA] java.time.Duration.parse (JDK javadoc): PnDTnHnMn.nS, case-insensitive, signed parts,
  up to 9 fraction digits after '.' or ','
"""

from __future__ import annotations

import pytest

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, ThrowError
from app.runtime.secrets_hook import EnvironmentSecretResolver
from app.secrets.errors import SecretNotFoundError
from connectors.echo import echo
from connectors.sdk.context import JobInfo
from tests.conformance.connectors import COUNT_TYPE, RAISE_TYPE, invocations
from tests.conformance.support import ECHO, SECRETS, run

# -- retries arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(("job_retries", "left"), [(3, 2), (1, 0), (0, 0)])
async def test_ordinary_error_decrements_retries(
    runtime: ConnectorRuntime, job_retries: int, left: int
) -> None:
    # [EH] handleGenericException: retries = job.getRetries() - 1; [JH] Math.max(retries, 0).
    outcome = await run(
        runtime, RAISE_TYPE, {"kind": "runtime", "message": "oops"}, retries=job_retries
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == left
    assert outcome.message == "oops"


async def test_connector_error_fail_carries_the_error_variable(runtime: ConnectorRuntime) -> None:
    # [EH] ErrorResult(Map.of("error", exceptionToMap(...))): {type, message, code, variables};
    # [JH] the FailJob command's variables are exactly that map.
    outcome = await run(
        runtime,
        RAISE_TYPE,
        {"kind": "connector", "code": "E42", "message": "nope", "variables": {"x": [1, 2]}},
        {"retryBackoff": "PT10S"},
        retries=3,
    )
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (2, 10_000)
    assert list(outcome.variables) == ["error"]
    error = outcome.variables["error"]
    assert error["code"] == "E42"
    assert error["message"] == "nope"
    assert error["variables"] == {"x": [1, 2]}
    assert isinstance(error["type"], str) and error["type"]


async def test_plain_exception_error_variable_has_no_code(runtime: ConnectorRuntime) -> None:
    # [EH] code and variables are added only for a ConnectorException.
    outcome = await run(runtime, RAISE_TYPE, {"kind": "runtime", "message": "plain"})
    assert isinstance(outcome, Fail)
    error = outcome.variables["error"]
    assert error["message"] == "plain"
    assert "code" not in error and "variables" not in error


async def test_echo_fail_code_is_error_code(runtime: ConnectorRuntime) -> None:
    # The echo connector's fail_code raises ConnectorError(code): [EH] code = getErrorCode().
    outcome = await run(runtime, ECHO, {"fail_code": "404", "fail_message": "not here"})
    assert isinstance(outcome, Fail)
    assert outcome.variables["error"]["code"] == "404"
    assert outcome.variables["error"]["message"] == "not here"
    assert outcome.retries == 2


async def test_input_error_fails_with_zero_retries_keeping_header_backoff(
    runtime: ConnectorRuntime,
) -> None:
    # [EH] ConnectorInputException -> retries 0; the header backoff is still passed on.
    outcome = await run(runtime, RAISE_TYPE, {"kind": "input"}, {"retryBackoff": "PT1M"}, retries=3)
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (0, 60_000)


async def test_binding_failure_is_input_error(runtime: ConnectorRuntime) -> None:
    # Validation of the bound input is a ConnectorInputException in Camunda (retries 0).
    outcome = await run(runtime, RAISE_TYPE, {"message": "no kind"}, retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "kind" in outcome.message


@pytest.mark.parametrize(
    ("retries", "backoff_ms", "expected"),
    [(5, 2500, (5, 2500)), (None, None, (2, 7000)), (0, None, (0, 7000)), (None, 100, (2, 100))],
)
async def test_retry_error_overrides(
    runtime: ConnectorRuntime,
    retries: int | None,
    backoff_ms: int | None,
    expected: tuple[int, int],
) -> None:
    # [EH] handleConnectorRetryException: its retries, else job.retries - 1; its backoff,
    # else the header's; the error code is kept.
    outcome = await run(
        runtime,
        RAISE_TYPE,
        {"kind": "retry", "code": "LATER", "retries": retries, "backoff_ms": backoff_ms},
        {"retryBackoff": "PT7S"},
        retries=3,
    )
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == expected
    assert outcome.variables["error"]["code"] == "LATER"


# -- retryBackoff ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "millis"),
    [
        ("PT30S", 30_000),  # the REST template's default
        ("PT5M", 300_000),
        ("PT1H30M", 5_400_000),
        ("P1D", 86_400_000),
        ("P1DT2H", 93_600_000),
        ("pt2s", 2_000),  # Duration.parse is case-insensitive
        ("PT0.5S", 500),
        ("PT1,25S", 1_250),
        ("+PT3S", 3_000),
        ("PT0S", 0),
        ("-PT5S", 0),  # negative: accepted by Duration.parse, no backoff
    ],
)
async def test_retry_backoff_header_forms(
    runtime: ConnectorRuntime, header: str, millis: int
) -> None:
    # [JH] getBackoffDuration: Duration.parse(header), sent as the FailJob retry backoff.
    outcome = await run(
        runtime, RAISE_TYPE, {"kind": "connector"}, {"retryBackoff": header}, retries=3
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    assert outcome.backoff_ms == millis


@pytest.mark.parametrize(
    "header", ["", " ", "5s", "30", "PT", "P1W", "P1M", "P1Y", "P1DT", "PT.5S", " PT5S", "PT5S "]
)
async def test_invalid_retry_backoff_fails_with_zero_retries_without_running(
    runtime: ConnectorRuntime, header: str
) -> None:
    # [JH] getBackoffDuration throws InvalidBackOffDurationException before the connector is
    # called; [EH] handleBackOffException: retries 0, no backoff.
    before = len(invocations)
    outcome = await run(runtime, COUNT_TYPE, {"tag": "x"}, {"retryBackoff": header}, retries=3)
    assert len(invocations) == before
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (0, 0)
    assert "retryBackoff" in outcome.message or "retry backoff" in outcome.message.lower()
    assert outcome.variables["error"]["message"] == outcome.message


async def test_invalid_retry_backoff_still_runs_the_error_expression(
    runtime: ConnectorRuntime,
) -> None:
    # [JH] processFinalResult examines the error expression for this ErrorResult too.
    outcome = await run(
        runtime,
        COUNT_TYPE,
        {},
        {"retryBackoff": "soon", "errorExpression": 'bpmnError("CONFIG", error.message)'},
    )
    assert isinstance(outcome, ThrowError)
    assert outcome.code == "CONFIG"


@pytest.mark.parametrize("header", ["PT-1S", "PT0S", "later"])
async def test_invalid_job_timeout_fails_with_zero_retries(
    runtime: ConnectorRuntime, header: str
) -> None:
    # [JH] updateJobTimeoutIfPresent: unparsable or non-positive -> InvalidJobTimeoutException,
    # [EH] handled like a bad backoff (retries 0); blank is ignored.
    before = len(invocations)
    outcome = await run(runtime, COUNT_TYPE, {}, {"jobTimeout": header}, retries=3)
    assert len(invocations) == before
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert await run(runtime, COUNT_TYPE, {}, {"jobTimeout": "  "}) == Complete(variables={})


# -- message cap ------------------------------------------------------------------------------


async def test_failure_message_and_error_message_are_capped(runtime: ConnectorRuntime) -> None:
    # [EH] exceptionToMap truncates error.message to MAX_ERROR_MESSAGE_LENGTH (6000);
    # [JH] truncateErrorMessage caps the FailJob message too.
    outcome = await run(runtime, RAISE_TYPE, {"kind": "connector", "message": "z" * 9000})
    assert isinstance(outcome, Fail)
    assert outcome.message == "z" * 6000
    assert outcome.variables["error"]["message"] == "z" * 6000


# -- secrets ----------------------------------------------------------------------------------


async def test_secret_placeholders_in_variables_are_replaced(runtime: ConnectorRuntime) -> None:
    # [DOC] "{{secrets.MY_API_KEY}}" in any part of a text; the deprecated bare secrets.NAME;
    # [SH] SecretUtil: spaces allowed inside the braces, value inserted JSON-escaped (so a
    # quote or backslash survives as itself).
    outcome = await run(
        runtime,
        ECHO,
        {
            "url": "https://host/{{secrets.API_KEY}}/x",
            "spaced": "{{ secrets.API_KEY }}",
            "bare": "secrets.API_KEY",
            "nested": {"list": ["{{secrets.TOKEN}}"]},
        },
        {"resultVariable": "r"},
    )
    key, token = SECRETS["API_KEY"], SECRETS["TOKEN"]
    assert outcome == Complete(
        variables={
            "r": {
                "url": f"https://host/{key}/x",
                "spaced": key,
                "bare": key,
                "nested": {"list": [token]},
            }
        }
    )


async def test_placeholders_in_keys_are_replaced(runtime: ConnectorRuntime) -> None:
    # [SH] SecretUtil runs over the variables' JSON text, object keys included.
    outcome = await run(
        runtime,
        ECHO,
        {"headers": {"{{secrets.API_KEY}}": "v", "x-secrets.API_KEY": 1}},
        {"resultVariable": "r"},
    )
    key = SECRETS["API_KEY"]
    assert outcome == Complete({"r": {"headers": {key: "v", f"x-{key}": 1}}})


class Recorder:
    """A secret store that records which names it was asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[set[str]] = []

    async def resolve(self, names: set[str], job: JobInfo) -> dict[str, str]:
        self.asked.append(set(names))
        missing = sorted(n for n in names if n not in self.values)
        if missing:
            raise SecretNotFoundError(missing[0])
        return {n: self.values[n] for n in names}


async def _echo_with(store: Recorder, variables: dict[str, object]) -> object:
    rt = ConnectorRuntime({ECHO: echo}, secrets=store)
    try:
        return await run(rt, ECHO, variables, {"resultVariable": "r"})
    finally:
        rt.close()


async def test_braced_pass_then_bare_pass_over_its_result() -> None:
    # [SH] replaceSecrets: the {{...}} form first, then the bare form over the result, each in
    # as many passes as the text had matches; a value's own placeholders are expanded.
    store = Recorder({"A": "secrets.B and {{secrets.C}}", "B": "b", "C": "c", "a:b@c": "x"})
    outcome = await _echo_with(store, {"v": "{{secrets.A}}", "w": "{{secrets.a:b@c}}"})
    # one braced pass per braced match in the text (two): C is expanded by the second; B by
    # the bare pass
    assert outcome == Complete({"r": {"v": "b and c", "w": "x"}})
    # only the names each pass asks for are looked up: never "a" (the bare pattern matches
    # inside "{{secrets.a:b@c}}", but that placeholder is gone before the bare pass runs)
    assert store.asked == [{"A", "a:b@c"}, {"C"}, {"B"}]


async def test_environment_secret_with_dashes_is_found_relaxed() -> None:
    # camunda/connectors .../runtime/secret/EnvironmentSecretProvider.java reads it through
    # Spring's Environment: {{secrets.my-api-key}} finds SECRET_MY_API_KEY.
    resolver = EnvironmentSecretResolver(environ={"SECRET_MY_API_KEY": "k3y"})
    rt = ConnectorRuntime({ECHO: echo}, secrets=resolver)
    try:
        outcome = await run(rt, ECHO, {"k": "{{secrets.my-api-key}}"}, {"resultVariable": "r"})
    finally:
        rt.close()
    assert outcome == Complete({"r": {"k": "k3y"}})


async def test_missing_secret_is_input_error(runtime: ConnectorRuntime) -> None:
    # [SH] ConnectorInputException("Secret with name 'X' is not available") -> retries 0.
    before = len(invocations)
    outcome = await run(runtime, COUNT_TYPE, {"tag": "{{secrets.NOT_THERE}}"}, retries=3)
    assert len(invocations) == before
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.message == "Secret with name 'NOT_THERE' is not available"


async def test_secret_values_are_masked_in_failures(runtime: ConnectorRuntime) -> None:
    # [EH] hideSecretsFromMessage on the message and maskSecrets on the error variables; the
    # error code is deliberately not masked.
    outcome = await run(
        runtime,
        RAISE_TYPE,
        {
            "kind": "connector",
            "code": "AUTH",
            "message": "rejected key {{secrets.API_KEY}}",
            "variables": {"echo": "{{secrets.API_KEY}}"},
        },
    )
    assert isinstance(outcome, Fail)
    secret = SECRETS["API_KEY"]
    assert secret not in outcome.message
    assert outcome.message == "rejected key ***"
    assert outcome.variables["error"]["message"] == "rejected key ***"
    assert outcome.variables["error"]["variables"] == {"echo": "***"}
    assert outcome.variables["error"]["code"] == "AUTH"


# -- output size ------------------------------------------------------------------------------


async def test_output_over_the_zeebe_safe_limit_is_input_error(runtime: ConnectorRuntime) -> None:
    # camunda/connectors connector-sdk .../api/document/InlineSizeGuard.java: mapped output
    # over 1.5 MB -> ConnectorInputException ("Output variables payload (N bytes) exceeds ...");
    # [JH] checked only when there are output variables.
    big = {"blob": "b" * (3 * 1024 * 1024 // 2 + 10)}
    outcome = await run(runtime, ECHO, big, {"resultVariable": "r"}, retries=3)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.message.startswith("Output variables payload (")
    assert await run(runtime, ECHO, big) == Complete(variables={})


async def test_input_errors_put_no_code_into_the_error_variable(runtime: ConnectorRuntime) -> None:
    # camunda/connectors connector-sdk/core/src/main/java/io/camunda/connector/api/error/
    # ConnectorInputException.java is no ConnectorException: [EH] exceptionToMap adds `code`
    # (and `variables`) only for a ConnectorException. Switchboard's own code stays in
    # Fail.error_code (history and the REST outcome).
    cases = [
        (RAISE_TYPE, {"kind": "input"}, {}, "INVALID_INPUT"),
        (RAISE_TYPE, {"message": "no kind"}, {}, "INVALID_INPUT"),  # binding
        (ECHO, {"a": "{{secrets.NOT_THERE}}"}, {}, None),  # missing secret
        (ECHO, {}, {"resultExpression": "=1"}, "INVALID_EXPRESSION_RESULT"),
    ]
    for type_, variables, headers, code in cases:
        outcome = await run(runtime, type_, variables, headers, retries=3)
        assert isinstance(outcome, Fail) and outcome.retries == 0, variables
        error = outcome.variables["error"]
        assert set(error) == {"type", "message"}, error
        assert error["type"] == "io.camunda.connector.api.error.ConnectorInputException"
        assert outcome.error_code == code
