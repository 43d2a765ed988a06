"""The pool's environment variables: read by the connector, mirrored in app/settings for the
configuration reference, checked at start-up."""

from __future__ import annotations

import pytest

from app.settings import Settings
from app.settings.rabbitmq import RabbitMqSettings
from connectors.rabbitmq import config, rabbitmq
from connectors.rabbitmq.config import RabbitMqConfig, RabbitMqConfigError


def test_the_settings_mirror_names_and_defaults_match_the_connector() -> None:
    mirrored = {
        info.validation_alias: info.default for info in RabbitMqSettings.model_fields.values()
    }
    assert mirrored == {
        config.ENV_MAX_CONNECTIONS: config.DEFAULT_MAX_CONNECTIONS,
        config.ENV_CHANNELS_PER_CONNECTION: config.DEFAULT_CHANNELS_PER_CONNECTION,
        config.ENV_CONNECT_TIMEOUT: config.DEFAULT_CONNECT_TIMEOUT_SECONDS,
        config.ENV_PUBLISH_TIMEOUT: config.DEFAULT_PUBLISH_TIMEOUT_SECONDS,
    }
    assert set(mirrored) <= {info.validation_alias for info in Settings.model_fields.values()}


def test_values_are_read_from_the_environment() -> None:
    read = RabbitMqConfig.from_env(
        {
            config.ENV_MAX_CONNECTIONS: "4",
            config.ENV_CHANNELS_PER_CONNECTION: "8",
            config.ENV_CONNECT_TIMEOUT: "2.5",
            config.ENV_PUBLISH_TIMEOUT: " 7 ",
        }
    )
    assert read == RabbitMqConfig(4, 8, 2.5, 7.0)
    assert RabbitMqConfig.from_env({}) == RabbitMqConfig()


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        (config.ENV_MAX_CONNECTIONS, "many", "must be an integer"),
        (config.ENV_CHANNELS_PER_CONNECTION, "0", "must be > 0"),
        (config.ENV_CONNECT_TIMEOUT, "-1", "must be > 0"),
        (config.ENV_PUBLISH_TIMEOUT, "soon", "must be a number"),
    ],
)
def test_a_bad_value_names_the_variable(name: str, value: str, reason: str) -> None:
    with pytest.raises(RabbitMqConfigError, match=f"{name} {reason}"):
        RabbitMqConfig.from_env({name: value})


def test_serve_checks_the_variables_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    check = rabbitmq.extra["startup_check"]
    check()
    monkeypatch.setenv(config.ENV_MAX_CONNECTIONS, "zero")
    with pytest.raises(RabbitMqConfigError, match=config.ENV_MAX_CONNECTIONS):
        check()
