"""Fixtures of the secrets tests: the shared OpenBao server and providers on unique paths."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import hvac
import pytest

from app.secrets.vault import VaultProvider
from app.secrets.vault_auth import VaultAuth
from tests.support.openbao import OpenBao, openbao  # noqa: F401  (session fixture)

MakeVault = Callable[..., Awaitable[VaultProvider]]


@pytest.fixture
def prefix() -> str:
    """A Vault path prefix of this test alone (the server is shared by the session)."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def root(openbao: OpenBao) -> hvac.Client:  # noqa: F811
    return openbao.client()


@pytest.fixture
async def make_vault(openbao: OpenBao, prefix: str) -> AsyncIterator[MakeVault]:  # noqa: F811
    """Build VaultProviders on this test's prefix; all are closed at the end of the test."""
    made: list[VaultProvider] = []

    async def make(
        auth: VaultAuth | None = None,
        *,
        start: bool = True,
        address: str | None = None,
        **options: Any,
    ) -> VaultProvider:
        provider = VaultProvider(
            address or openbao.address,
            auth or VaultAuth("token", token=openbao.root_token),
            path_prefix=options.pop("path_prefix", prefix),
            timeout=options.pop("timeout", 3.0),
            **options,
        )
        made.append(provider)
        if start:
            await provider.start()
        return provider

    yield make
    for provider in made:
        await provider.close()


def put(client: hvac.Client, path: str, **data: Any) -> None:
    client.secrets.kv.v2.create_or_update_secret(path=path, secret=data, mount_point="secret")
