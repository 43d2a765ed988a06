"""Secret provider options."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator


class SecretsSettings(BaseModel):
    secret_env_enabled: bool = Field(
        True,
        validation_alias="SWITCHBOARD_SECRETS_ENV_ENABLED",
        description="Read secrets from environment variables (first in the provider chain).",
    )
    secret_env_prefix: str = Field(
        "SECRET_",
        validation_alias="SWITCHBOARD_SECRETS_ENV_PREFIX",
        description="Prefix of environment variables read by the environment secret provider. "
        "Empty: every environment variable is a secret (unsafe).",
    )
    secret_env_tenant_aware: bool = Field(
        False,
        validation_alias="SWITCHBOARD_SECRETS_ENV_TENANT_AWARE",
        description="Environment names include the job's tenant: PREFIX + TENANT_ + NAME.",
    )
    secret_env_process_aware: bool = Field(
        False,
        validation_alias="SWITCHBOARD_SECRETS_ENV_PROCESS_AWARE",
        description="Environment names include the BPMN process id: PREFIX + [TENANT_] + "
        "PROCESS_ + NAME.",
    )
    secrets_cache_seconds: float = Field(
        0.0,
        ge=0,
        le=86_400,
        validation_alias="SWITCHBOARD_SECRETS_CACHE_SECONDS",
        description="Keep resolved secret values in memory this long. 0: no cache.",
    )
    secrets_filter_mode: Literal["DISABLED", "LAX", "STRICT"] = Field(
        "DISABLED",
        validation_alias="SWITCHBOARD_SECRETS_FILTER_MODE",
        description="Camunda's secret filter: DISABLED (every secret may be resolved), LAX or "
        "STRICT (only secrets named in the element's input mappings; LAX allows all when the "
        "process definition cannot be read, STRICT fails the job). LAX and STRICT need an "
        "engine that provides process definitions (docs/secrets.md).",
    )
    vault_addr: str | None = Field(
        None,
        validation_alias="VAULT_ADDR",
        description="Vault or OpenBao address (http(s)://host:port). Unset: no Vault provider.",
    )
    vault_auth_method: Literal["token", "approle", "kubernetes"] = Field(
        "token",
        validation_alias="SWITCHBOARD_VAULT_AUTH_METHOD",
        description="How to log in to Vault: token (VAULT_TOKEN), approle or kubernetes.",
    )
    vault_token: SecretStr | None = Field(
        None,
        validation_alias="VAULT_TOKEN",
        description="Vault token for the token auth method.",
    )
    vault_auth_mount: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_VAULT_AUTH_MOUNT",
        description="Mount path of the auth method (default: approle or kubernetes).",
    )
    vault_role_id: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_VAULT_ROLE_ID",
        description="AppRole role_id.",
    )
    vault_secret_id: SecretStr | None = Field(
        None,
        validation_alias="SWITCHBOARD_VAULT_SECRET_ID",
        description="AppRole secret_id.",
    )
    vault_kubernetes_role: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_VAULT_KUBERNETES_ROLE",
        description="Vault role for the kubernetes auth method.",
    )
    vault_kubernetes_token_path: str = Field(
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        validation_alias="SWITCHBOARD_VAULT_KUBERNETES_TOKEN_PATH",
        description="Service-account JWT file used by the kubernetes auth method.",
    )
    vault_namespace: str | None = Field(
        None,
        validation_alias="VAULT_NAMESPACE",
        description="Vault Enterprise / OpenBao namespace.",
    )
    vault_mount: str = Field(
        "secret",
        validation_alias="SWITCHBOARD_VAULT_MOUNT",
        description="Mount path of the KV version 2 secrets engine.",
    )
    vault_path_prefix: str = Field(
        "switchboard",
        validation_alias="SWITCHBOARD_VAULT_PATH_PREFIX",
        description="Path inside the mount under which Switchboard's secrets live (may be empty).",
    )
    vault_tenant_aware: bool = Field(
        False,
        validation_alias="SWITCHBOARD_VAULT_TENANT_AWARE",
        description="Each tenant has its own sub-path: PREFIX/TENANT/NAME.",
    )
    vault_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=300,
        validation_alias="SWITCHBOARD_VAULT_TIMEOUT_SECONDS",
        description="Connect and read timeout of each Vault request.",
    )
    vault_ca_cert: str | None = Field(
        None,
        validation_alias="VAULT_CACERT",
        description="CA bundle file to verify Vault's TLS certificate.",
    )
    vault_tls_verify: bool = Field(
        True,
        validation_alias="SWITCHBOARD_VAULT_TLS_VERIFY",
        description="Verify Vault's TLS certificate (turn off only for local tests).",
    )
    vault_pool_size: int = Field(
        4,
        ge=1,
        le=64,
        validation_alias="SWITCHBOARD_VAULT_POOL_SIZE",
        description="Threads running blocking Vault (hvac) calls.",
    )
    vault_renew_before_seconds: float = Field(
        30.0,
        ge=0,
        le=86_400,
        validation_alias="SWITCHBOARD_VAULT_RENEW_BEFORE_SECONDS",
        description="Renew the Vault token (or log in again) once two thirds of its lifetime "
        "have passed, and at least this long before it expires (never before half of it).",
    )

    @field_validator("secrets_filter_mode", mode="before")
    @classmethod
    def _mode_upper(cls, value: object) -> object:
        # Spring binds enum names leniently (strict, Strict and STRICT alike).
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("vault_addr")
    @classmethod
    def _check_vault_addr(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("vault_mount", "vault_path_prefix")
    @classmethod
    def _strip_slashes(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip().strip("/")
        if not value and info.field_name == "vault_mount":
            raise ValueError("must not be empty")
        if value and any(part in ("", ".", "..") for part in value.split("/")):
            raise ValueError("must be a path of non-empty segments without '.' or '..'")
        return value
