"""Operator configuration of the e-mail connector, read from environment variables.

``app/settings/email.py`` mirrors this list for the configuration reference; this module must
not import ``app``.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.sdk.envconfig import env_positive_float, env_positive_int, env_text

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_CONNECTIONS = 4
DEFAULT_IDLE_SECONDS = 60.0
DEFAULT_THREADS = 8

ENV_CA_FILE = "SWITCHBOARD_EMAIL_CA_FILE"
ENV_TIMEOUT = "SWITCHBOARD_EMAIL_TIMEOUT_SECONDS"
ENV_MAX_CONNECTIONS = "SWITCHBOARD_EMAIL_MAX_CONNECTIONS"
ENV_IDLE = "SWITCHBOARD_EMAIL_IDLE_SECONDS"
ENV_THREADS = "SWITCHBOARD_EMAIL_THREADS"


class EmailConfigError(ValueError):
    """An invalid e-mail connector environment variable; the message names it."""


@dataclass(frozen=True)
class EmailConfig:
    """Everything the e-mail clients need from the environment."""

    ca_file: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    threads: int = DEFAULT_THREADS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EmailConfig:
        """Read the configuration; raise :class:`EmailConfigError` naming a bad variable."""
        env = os.environ if environ is None else environ
        error = EmailConfigError
        return cls(
            ca_file=env_text(env, ENV_CA_FILE),
            timeout=env_positive_float(env, ENV_TIMEOUT, DEFAULT_TIMEOUT_SECONDS, error),
            max_connections=env_positive_int(
                env, ENV_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, error
            ),
            idle_seconds=env_positive_float(
                env, ENV_IDLE, DEFAULT_IDLE_SECONDS, error, zero_ok=True
            ),
            threads=env_positive_int(env, ENV_THREADS, DEFAULT_THREADS, error),
        )

    def ssl_context(self) -> ssl.SSLContext:
        """System roots plus the operator's CA file; certificates and host names are checked."""
        context = ssl.create_default_context()
        if self.ca_file:
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise EmailConfigError(
                    f"{ENV_CA_FILE}: cannot load certificates ({type(exc).__name__})"
                ) from None
        return context
