"""Settings wiring, outcome JSON, masking helpers and history payload capping."""

from __future__ import annotations

import json

import pytest

from app.runtime.executor import ConnectorRuntime, RuntimeLimits
from app.runtime.masking import job_masker, mask_secrets
from app.runtime.model import Complete, Fail, ThrowError
from app.runtime.outcome_json import EXIT_CODES, outcome_to_json
from app.runtime.payload import cap_payload, json_size
from app.settings import SettingsError, load_settings


def test_limits_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONNECTOR_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("SWITCHBOARD_MAX_INPUT_VARIABLES_BYTES", "2048")
    monkeypatch.setenv("SWITCHBOARD_MAX_OUTPUT_VARIABLES_BYTES", "4096")
    monkeypatch.setenv("SWITCHBOARD_HISTORY_MAX_PAYLOAD_BYTES", "1000")
    monkeypatch.setenv("SWITCHBOARD_SYNC_POOL_SIZE", "3")
    limits = RuntimeLimits.from_settings(load_settings())
    assert limits == RuntimeLimits(
        default_timeout=2.5,
        max_input_bytes=2048,
        max_output_bytes=4096,
        history_max_payload_bytes=1000,
        sync_pool_size=3,
    )


def test_defaults() -> None:
    settings = load_settings()
    limits = RuntimeLimits.from_settings(settings)
    assert limits.default_timeout is None
    assert limits.max_input_bytes == 4 * 1024 * 1024
    assert limits.max_output_bytes == 1572864
    assert limits.history_max_payload_bytes == 65536
    assert settings.history_retention_days == 30


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SWITCHBOARD_HISTORY_BATCH_SIZE", "0"),
        ("SWITCHBOARD_HISTORY_RETENTION_DAYS", "-1"),
        ("SWITCHBOARD_CONNECTOR_TIMEOUT_SECONDS", "soon"),
        ("SWITCHBOARD_MAX_OUTPUT_VARIABLES_BYTES", "10"),
    ],
)
def test_invalid_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()


async def test_runtime_from_settings_uses_env_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.runtime.model import Job
    from connectors.echo import echo

    monkeypatch.setenv("SWITCHBOARD_SECRETS_ENV_PREFIX", "MYAPP_")
    monkeypatch.setenv("MYAPP_KEY", "value-from-prefix")
    runtime = ConnectorRuntime.from_settings({echo.type: echo}, load_settings())
    try:
        job = Job.create(
            type=echo.type,
            variables={"k": "{{secrets.KEY}}"},
            custom_headers={"resultVariable": "r"},
        )
        assert (await runtime.execute(job)).outcome == Complete({"r": {"k": "value-from-prefix"}})
    finally:
        runtime.close()


def test_outcome_json() -> None:
    assert outcome_to_json(Complete({"a": 1})) == {
        "command": "complete",
        "variables": {"a": 1},
        "errorCode": None,
        "errorMessage": None,
        "retries": None,
        "backoffMs": None,
    }
    assert outcome_to_json(Fail("m", 2, 500, {"error": {}}, "C")) == {
        "command": "fail",
        "variables": {"error": {}},
        "errorCode": "C",
        "errorMessage": "m",
        "retries": 2,
        "backoffMs": 500,
    }
    assert outcome_to_json(ThrowError("B", "msg", {"v": 1})) == {
        "command": "throw_error",
        "variables": {"v": 1},
        "errorCode": "B",
        "errorMessage": "msg",
        "retries": None,
        "backoffMs": None,
    }
    assert EXIT_CODES == {"complete": 0, "fail": 1, "throw_error": 3}
    with pytest.raises(TypeError):
        outcome_to_json("complete")  # type: ignore[arg-type]


def test_mask_secrets() -> None:
    assert mask_secrets("token abcdef and abcdef", ["abcdef"]) == "token *** and ***"
    assert mask_secrets({"abcdef": ["x abcdef", 1, True]}, ["abcdef"]) == {
        "***": ["x ***", 1, True]
    }
    # The longer value wins where one secret contains another.
    assert mask_secrets("secret-long", ["secret", "secret-long"]) == "***"
    # JSON-escaped form of a value with a quote.
    assert mask_secrets('{"p": "a\\"bcdef"}', ['a"bcdef']) == '{"p": "***"}'
    assert not job_masker().active
    assert job_masker(["", "abcd"]).active


@pytest.mark.parametrize("limit", [128, 256, 1000])
def test_cap_payload_stays_within_limit(limit: int) -> None:
    value = {"text": '"\\' * 2000, "n": list(range(100))}
    capped = cap_payload(value, limit)
    assert capped["_truncated"] is True
    assert capped["originalBytes"] == json_size(value)
    assert json_size(capped) <= limit
    assert json.dumps(value, separators=(",", ":")).startswith(capped["preview"][:10])


def test_cap_payload_keeps_small_values() -> None:
    value = {"a": [1, 2, 3]}
    assert cap_payload(value, 1000) is value
    assert cap_payload(None, 128) is None
