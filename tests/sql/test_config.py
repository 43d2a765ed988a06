"""The SQL connector's environment variables: read by the connector, mirrored in the
settings (so the configuration reference lists them), checked at start-up."""

from __future__ import annotations

import pytest

from app.settings.sql import SqlSettings
from connectors.sql import config, sql
from connectors.sql.config import SqlConfig, SqlConfigError


def test_the_settings_mirror_names_every_variable_with_the_same_defaults() -> None:
    mirrored = {info.validation_alias: info.default for info in SqlSettings.model_fields.values()}
    assert mirrored == {
        config.ENV_MAX_TARGETS: config.DEFAULT_MAX_TARGETS,
        config.ENV_POOL_SIZE: config.DEFAULT_POOL_SIZE,
        config.ENV_CONNECT_TIMEOUT: config.DEFAULT_CONNECT_TIMEOUT_SECONDS,
        config.ENV_QUERY_TIMEOUT: config.DEFAULT_QUERY_TIMEOUT_SECONDS,
    }


def test_values_are_read() -> None:
    read = SqlConfig.from_env(
        {
            config.ENV_MAX_TARGETS: "4",
            config.ENV_POOL_SIZE: "2",
            config.ENV_CONNECT_TIMEOUT: "2.5",
            config.ENV_QUERY_TIMEOUT: "7",
        }
    )
    assert read == SqlConfig(4, 2, 2.5, 7.0)
    assert SqlConfig.from_env({}) == SqlConfig()


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        (config.ENV_POOL_SIZE, "many", "must be an integer"),
        (config.ENV_MAX_TARGETS, "0", "must be > 0"),
        (config.ENV_QUERY_TIMEOUT, "soon", "must be a number"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, reason: str) -> None:
    with pytest.raises(SqlConfigError, match=f"{name} {reason}"):
        SqlConfig.from_env({name: value})


def test_startup_check_and_shutdown_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    check = sql.extra["startup_check"]
    check()
    monkeypatch.setenv(config.ENV_POOL_SIZE, "-1")
    with pytest.raises(SqlConfigError):
        check()
    assert callable(sql.extra["shutdown"])
