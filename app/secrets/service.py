"""The secrets service: providers built from settings, the resolver chain, the masker and
management operations, with one start/close/health for the application to wire."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.secrets.chain import SecretChain
from app.secrets.context import DEFAULT_TENANT, JobLike, SecretContext
from app.secrets.env import EnvironmentProvider
from app.secrets.errors import (
    InvalidSecretNameError,
    InvalidSecretValueError,
    SecretsConfigError,
    SecretsReadOnlyError,
)
from app.secrets.masking import SecretMasker
from app.secrets.provider import SecretInfo, SecretProvider, WritableSecretProvider
from app.secrets.vault import VaultProvider
from app.secrets.vault_auth import VaultAuth
from app.settings.secrets import SecretsSettings
from connectors.sdk.placeholders import BARE_NAME

MAX_NAME_LENGTH = 256
MAX_VALUE_LENGTH = 65_536
_MANAGED_NAME = re.compile(BARE_NAME)


class SecretsService:
    """Everything secret-related the application needs.

    - ``resolver``: the provider chain; ``await resolver.resolve(names, job)`` for the runtime.
    - ``masker``: the value registry used by logs, history and API output.
    - ``start()`` / ``close()`` / ``health()`` for the application lifespan and readiness.
    - ``set_secret`` / ``list_secrets`` / ``delete_secret`` for the REST API and the CLI.
    """

    def __init__(
        self,
        providers: Sequence[SecretProvider],
        *,
        masker: SecretMasker | None = None,
        cache_seconds: float = 0.0,
    ) -> None:
        self.providers = tuple(providers)
        self.masker = masker if masker is not None else SecretMasker()
        self.resolver = SecretChain(self.providers, self.masker, cache_seconds=cache_seconds)

    @classmethod
    def from_settings(
        cls, settings: SecretsSettings, *, environ: Mapping[str, str] | None = None
    ) -> SecretsService:
        """Environment provider (if enabled) first, then Vault (if ``VAULT_ADDR`` is set)."""
        providers: list[SecretProvider] = []
        if settings.secret_env_enabled:
            providers.append(
                EnvironmentProvider(
                    settings.secret_env_prefix,
                    tenant_aware=settings.secret_env_tenant_aware,
                    process_aware=settings.secret_env_process_aware,
                    environ=environ,
                )
            )
        if settings.vault_addr:
            providers.append(
                VaultProvider(
                    settings.vault_addr,
                    _vault_auth(settings),
                    mount=settings.vault_mount,
                    path_prefix=settings.vault_path_prefix,
                    tenant_aware=settings.vault_tenant_aware,
                    timeout=settings.vault_timeout_seconds,
                    verify=settings.vault_ca_cert or settings.vault_tls_verify,
                    namespace=settings.vault_namespace,
                    pool_size=settings.vault_pool_size,
                )
            )
        masker = SecretMasker()
        return cls(providers, masker=masker, cache_seconds=settings.secrets_cache_seconds)

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start providers (Vault logs in and renews its token in the background)."""
        for provider in self.providers:
            await provider.start()

    async def close(self) -> None:
        for provider in reversed(self.providers):
            await provider.close()

    async def health(self) -> dict[str, Any]:
        """``{"status": "up"|"down", "providers": {name: {...}}}``; down if any provider is."""
        reports = await asyncio.gather(*(p.health() for p in self.providers))
        providers = {p.name: r for p, r in zip(self.providers, reports, strict=True)}
        down = any(r.get("status") == "down" for r in reports)
        status = "down" if down else ("up" if providers else "disabled")
        return {"status": status, "providers": providers}

    # -- resolution ----------------------------------------------------------------------------

    async def resolve(self, names: set[str], job: JobLike) -> dict[str, str]:
        """Same as ``resolver.resolve``: values for ``names`` in the job's tenant/process."""
        return await self.resolver.resolve(names, job)

    # -- management ----------------------------------------------------------------------------

    @property
    def writable(self) -> WritableSecretProvider | None:
        for provider in self.providers:
            if provider.writable:
                return provider  # type: ignore[return-value]
        return None

    async def set_secret(self, name: str, value: str, tenant_id: str | None = None) -> SecretInfo:
        """Store ``value`` under ``name`` in the writable provider (Vault)."""
        check_name(name)
        if not isinstance(value, str) or not value:
            raise InvalidSecretValueError("value: must be a non-empty string")
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidSecretValueError(f"value: longer than {MAX_VALUE_LENGTH} characters")
        provider = self._writable()
        self.masker.register(value)
        info = await provider.set_secret(name, value, tenant_id)
        self.resolver.invalidate(name)
        return info

    async def delete_secret(self, name: str, tenant_id: str | None = None) -> None:
        """Delete ``name`` from the writable provider; SecretNotFoundError if absent."""
        check_name(name)
        provider = self._writable()
        await provider.delete_secret(name, tenant_id)
        self.resolver.invalidate(name)

    async def list_secrets(self, tenant_id: str | None = None) -> list[SecretInfo]:
        """Names and metadata from every provider, in chain order; never values."""
        infos: list[SecretInfo] = []
        for provider in self.providers:
            infos.extend(await provider.list_secrets(tenant_id))
        return infos

    async def shadowed_by(self, name: str, tenant_id: str | None = None) -> str | None:
        """The provider before the writable one that already answers ``name``, if any."""
        context = SecretContext(tenant_id=tenant_id or DEFAULT_TENANT)
        for provider in self.providers:
            if provider.writable:
                return None
            if name in await provider.get_many([name], context):
                return provider.name
        return None

    def _writable(self) -> WritableSecretProvider:
        provider = self.writable
        if provider is None:
            raise SecretsReadOnlyError()
        return provider


def check_name(name: str) -> None:
    """Names that both placeholder forms can reference: letters and digits joined by single
    ``/ . _ -`` separators, e.g. ``API_TOKEN`` or ``db/password``."""
    if not isinstance(name, str) or not name:
        raise InvalidSecretNameError(str(name), "must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidSecretNameError(name[:40] + "...", f"longer than {MAX_NAME_LENGTH}")
    if not _MANAGED_NAME.fullmatch(name):
        raise InvalidSecretNameError(
            name,
            "use letters and digits joined by single '/', '.', '_' or '-' "
            "(for example API_TOKEN or db/password)",
        )


def _vault_auth(settings: SecretsSettings) -> VaultAuth:
    method = settings.vault_auth_method
    token = settings.vault_token.get_secret_value() if settings.vault_token else None
    if method == "token" and not token:
        raise SecretsConfigError("VAULT_TOKEN: required when SWITCHBOARD_VAULT_AUTH_METHOD=token")
    if method == "approle" and not settings.vault_role_id:
        raise SecretsConfigError(
            "SWITCHBOARD_VAULT_ROLE_ID: required when SWITCHBOARD_VAULT_AUTH_METHOD=approle"
        )
    if method == "kubernetes" and not settings.vault_kubernetes_role:
        raise SecretsConfigError(
            "SWITCHBOARD_VAULT_KUBERNETES_ROLE: required when "
            "SWITCHBOARD_VAULT_AUTH_METHOD=kubernetes"
        )
    return VaultAuth(
        method,
        token=token,
        role_id=settings.vault_role_id,
        secret_id=settings.vault_secret_id.get_secret_value() if settings.vault_secret_id else None,
        kubernetes_role=settings.vault_kubernetes_role,
        kubernetes_token_path=settings.vault_kubernetes_token_path,
        mount=settings.vault_auth_mount,
        renew_before=settings.vault_renew_before_seconds,
    )
