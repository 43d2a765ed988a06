"""The provider interface: look names up in a context; found values, nothing, or an error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from app.secrets.context import SecretContext


@dataclass(frozen=True)
class SecretInfo:
    """What management shows about a secret: never its value."""

    name: str
    provider: str
    version: int | None = None
    updated_at: dt.datetime | None = None
    tenant_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "provider": self.provider,
            "version": self.version,
            "updatedAt": self.updated_at.isoformat() if self.updated_at else None,
            "tenantId": self.tenant_id,
        }


@runtime_checkable
class SecretProvider(Protocol):
    """A source of secret values.

    ``get_many`` returns the values it has (names it does not know are absent from the
    result) and raises :class:`~app.secrets.errors.SecretProviderError` when it cannot answer.
    """

    name: str
    writable: bool

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def health(self) -> dict[str, Any]: ...

    async def get_many(self, names: Collection[str], context: SecretContext) -> dict[str, str]: ...

    async def list_secrets(self, tenant_id: str | None = None) -> list[SecretInfo]: ...


class WritableSecretProvider(SecretProvider, Protocol):
    """A provider that also stores secrets (management operations)."""

    async def set_secret(
        self, name: str, value: str, tenant_id: str | None = None
    ) -> SecretInfo: ...

    async def delete_secret(self, name: str, tenant_id: str | None = None) -> None: ...
