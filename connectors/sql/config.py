"""Operator configuration of the SQL connector, read from environment variables.

Camunda has no such options (it opens one JDBC connection per job and sets no timeouts); the
names use the ``SWITCHBOARD_SQL_`` prefix. ``app/settings/sql.py`` mirrors this list for the
configuration reference and validates it at startup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.sdk.envconfig import env_positive_float, env_positive_int

ENV_MAX_TARGETS = "SWITCHBOARD_SQL_MAX_TARGETS"
ENV_POOL_SIZE = "SWITCHBOARD_SQL_POOL_SIZE"
ENV_CONNECT_TIMEOUT = "SWITCHBOARD_SQL_CONNECT_TIMEOUT_SECONDS"
ENV_QUERY_TIMEOUT = "SWITCHBOARD_SQL_QUERY_TIMEOUT_SECONDS"

DEFAULT_MAX_TARGETS = 16
DEFAULT_POOL_SIZE = 5
DEFAULT_CONNECT_TIMEOUT_SECONDS = 20.0
DEFAULT_QUERY_TIMEOUT_SECONDS = 120.0


class SqlConfigError(ValueError):
    """An invalid SQL connector environment variable; the message names it."""


@dataclass(frozen=True)
class SqlConfig:
    """Bounds of the connection pools and the statement timeouts."""

    max_targets: int = DEFAULT_MAX_TARGETS
    pool_size: int = DEFAULT_POOL_SIZE
    connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS
    query_timeout_seconds: float = DEFAULT_QUERY_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SqlConfig:
        """Read the configuration; raise :class:`SqlConfigError` naming a bad variable."""
        env = os.environ if environ is None else environ
        return cls(
            max_targets=env_positive_int(env, ENV_MAX_TARGETS, DEFAULT_MAX_TARGETS, SqlConfigError),
            pool_size=env_positive_int(env, ENV_POOL_SIZE, DEFAULT_POOL_SIZE, SqlConfigError),
            connect_timeout_seconds=env_positive_float(
                env, ENV_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT_SECONDS, SqlConfigError
            ),
            query_timeout_seconds=env_positive_float(
                env, ENV_QUERY_TIMEOUT, DEFAULT_QUERY_TIMEOUT_SECONDS, SqlConfigError
            ),
        )


def check_environment() -> None:
    """Raise :class:`SqlConfigError` if a variable is invalid (``serve`` calls it at start-up)."""
    SqlConfig.from_env()
