"""Errors of secret resolution and management. Messages never contain secret values.

``error_type`` is the stable ``error.type`` a failed job shows (see ``connectors.sdk.errors``).
"""

from __future__ import annotations

from typing import ClassVar

from connectors.sdk.errors import CONNECTOR_INPUT_EXCEPTION, InputError, SwitchboardError


class SecretError(SwitchboardError):
    """Base class of secret resolution and management failures."""

    error_type: ClassVar[str] = "switchboard.SecretError"


class SecretNotFoundError(SecretError, InputError):
    """No provider knows the name: an input error (the job fails with retries 0). Camunda
    raises a ``ConnectorInputException`` with the same message."""

    error_type: ClassVar[str] = CONNECTOR_INPUT_EXCEPTION

    def __init__(self, name: str) -> None:
        super().__init__(f"Secret with name '{name}' is not available")
        self.name = name


class SecretProviderError(SecretError):
    """A provider is down or refused access: a transient error (retries - 1, with backoff)."""

    error_type: ClassVar[str] = "switchboard.SecretProviderError"

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"Secret provider '{provider}' failed: {reason}")
        self.provider = provider
        self.reason = reason


class InvalidSecretNameError(SecretError, ValueError):
    """A name that cannot be stored or referenced (management operations)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"Invalid secret name '{name}': {reason}")
        self.name = name
        self.reason = reason


class SecretsReadOnlyError(SecretError):
    """No writable provider is configured (HTTP 409)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Secrets are read-only: only the environment provider is configured. "
            "Set VAULT_ADDR (and Vault credentials) to manage secrets through Switchboard."
        )


class SecretsConfigError(SecretError):
    """Inconsistent secret provider settings; the message names the variable."""


class InvalidSecretValueError(SecretError, ValueError):
    """A value that cannot be stored; the message never contains the value."""
