"""Errors of secret resolution. Messages never contain secret values."""

from __future__ import annotations


class SecretError(Exception):
    """Base class of secret resolution failures."""


class SecretNotFoundError(SecretError):
    """No provider knows the name: an input error (the job fails with retries 0)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Secret with name '{name}' is not available")
        self.name = name


class SecretProviderError(SecretError):
    """A provider is down or refused access: a transient error (retries - 1, with backoff)."""

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"Secret provider '{provider}' failed: {reason}")
        self.provider = provider
        self.reason = reason
