"""Secrets: providers (environment, Vault), the resolver chain, masking and management."""

from __future__ import annotations

from app.secrets.chain import SecretChain
from app.secrets.context import JobLike, SecretContext
from app.secrets.env import EnvironmentProvider
from app.secrets.errors import (
    InvalidSecretNameError,
    InvalidSecretValueError,
    SecretError,
    SecretNotFoundError,
    SecretProviderError,
    SecretsConfigError,
    SecretsReadOnlyError,
)
from app.secrets.masking import (
    SecretMasker,
    SecretMaskingFilter,
    install_log_masking,
    remove_log_masking,
)
from app.secrets.provider import SecretInfo, SecretProvider
from app.secrets.service import SecretsService

__all__ = [
    "EnvironmentProvider",
    "InvalidSecretNameError",
    "InvalidSecretValueError",
    "JobLike",
    "SecretChain",
    "SecretContext",
    "SecretError",
    "SecretInfo",
    "SecretMasker",
    "SecretMaskingFilter",
    "SecretNotFoundError",
    "SecretProvider",
    "SecretProviderError",
    "SecretsConfigError",
    "SecretsReadOnlyError",
    "SecretsService",
    "install_log_masking",
    "remove_log_masking",
]
