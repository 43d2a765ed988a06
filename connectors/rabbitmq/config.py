"""Operator configuration of the RabbitMQ connector, read from environment variables.

Camunda has no such options (it opens a connection per job); the names use the
``SWITCHBOARD_RABBITMQ_`` prefix. ``app/settings/rabbitmq.py`` mirrors this list for the
configuration reference and validates it at startup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.sdk.envconfig import env_positive_float, env_positive_int

ENV_MAX_CONNECTIONS = "SWITCHBOARD_RABBITMQ_MAX_CONNECTIONS"
ENV_CHANNELS_PER_CONNECTION = "SWITCHBOARD_RABBITMQ_CHANNELS_PER_CONNECTION"
ENV_CONNECT_TIMEOUT = "SWITCHBOARD_RABBITMQ_CONNECT_TIMEOUT_SECONDS"
ENV_PUBLISH_TIMEOUT = "SWITCHBOARD_RABBITMQ_PUBLISH_TIMEOUT_SECONDS"

DEFAULT_MAX_CONNECTIONS = 16
DEFAULT_CHANNELS_PER_CONNECTION = 32
DEFAULT_CONNECT_TIMEOUT_SECONDS = 20.0
DEFAULT_PUBLISH_TIMEOUT_SECONDS = 30.0


class RabbitMqConfigError(ValueError):
    """An invalid RabbitMQ connector environment variable; the message names it."""


@dataclass(frozen=True)
class RabbitMqConfig:
    """Bounds of the shared connection pool."""

    max_connections: int = DEFAULT_MAX_CONNECTIONS
    channels_per_connection: int = DEFAULT_CHANNELS_PER_CONNECTION
    connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS
    publish_timeout_seconds: float = DEFAULT_PUBLISH_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RabbitMqConfig:
        """Read the configuration; raise :class:`RabbitMqConfigError` naming a bad variable."""
        env = os.environ if environ is None else environ
        error = RabbitMqConfigError
        return cls(
            max_connections=env_positive_int(
                env, ENV_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, error
            ),
            channels_per_connection=env_positive_int(
                env,
                ENV_CHANNELS_PER_CONNECTION,
                DEFAULT_CHANNELS_PER_CONNECTION,
                error,
            ),
            connect_timeout_seconds=env_positive_float(
                env, ENV_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT_SECONDS, error
            ),
            publish_timeout_seconds=env_positive_float(
                env, ENV_PUBLISH_TIMEOUT, DEFAULT_PUBLISH_TIMEOUT_SECONDS, error
            ),
        )


def check_environment() -> None:
    """Raise :class:`RabbitMqConfigError` if a variable is invalid (``serve`` calls it at
    start-up, so a typo stops the service instead of failing every job)."""
    RabbitMqConfig.from_env()
