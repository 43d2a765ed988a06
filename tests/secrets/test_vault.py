"""The Vault provider against a real OpenBao dev server."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import hvac
import hvac.exceptions
import pytest

from app.secrets import (
    InvalidSecretNameError,
    SecretChain,
    SecretContext,
    SecretMasker,
    SecretNotFoundError,
    SecretProviderError,
)
from app.secrets.vault import VaultProvider
from app.secrets.vault_auth import VaultAuth
from tests.secrets.conftest import MakeVault, put
from tests.support.openbao import OpenBao
from tests.support.waiting import eventually

CTX = SecretContext()


def token_valid(root: hvac.Client, token: str) -> bool:
    try:
        root.auth.token.lookup(token)
    except hvac.exceptions.VaultError:
        return False
    return True


def read_policy(name: str, prefix: str) -> str:
    return f'path "secret/data/{prefix}/*" {{ capabilities = ["read"] }}'


def approle(root: hvac.Client, prefix: str, *, ttl: str, max_ttl: str) -> tuple[str, str, str]:
    """An AppRole (own auth mount) that may read this test's prefix: (mount, role_id, secret_id)."""
    mount = f"approle-{uuid.uuid4().hex[:8]}"
    root.sys.enable_auth_method("approle", path=mount)
    root.sys.create_or_update_policy(f"read-{prefix}", read_policy("r", prefix))
    root.auth.approle.create_or_update_approle(
        "switchboard",
        token_policies=[f"read-{prefix}"],
        token_ttl=ttl,
        token_max_ttl=max_ttl,
        mount_point=mount,
    )
    role_id = root.auth.approle.read_role_id("switchboard", mount_point=mount)["data"]["role_id"]
    secret_id = root.auth.approle.generate_secret_id("switchboard", mount_point=mount)["data"][
        "secret_id"
    ]
    return mount, role_id, secret_id


async def test_kv2_read_plain_and_keyed_values(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/API_TOKEN", value="tok-abc-123")
    put(root, f"{prefix}/db", password="pa55word", port=5432, opts={"ssl": True})
    put(root, f"{prefix}/a/b", value="deep-value")
    vault = await make_vault()
    found = await vault.get_many(
        ["API_TOKEN", "db/password", "db/port", "db/opts", "a/b/value", "db/missing"], CTX
    )
    assert found == {
        "API_TOKEN": "tok-abc-123",
        "db/password": "pa55word",
        "db/port": "5432",
        "db/opts": '{"ssl":true}',
        "a/b/value": "deep-value",
    }


async def test_missing_secret_is_an_input_error(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/GONE", value="old-value")
    root.secrets.kv.v2.delete_latest_version_of_secret(path=f"{prefix}/GONE", mount_point="secret")
    vault = await make_vault()
    chain = SecretChain([vault], SecretMasker())
    for name in ("NEVER_WRITTEN", "GONE", "x/../y", "{{weird}}"):
        with pytest.raises(SecretNotFoundError) as caught:
            await chain.lookup({name}, CTX)
        assert str(caught.value) == f"Secret with name '{name}' is not available"


async def test_tenant_aware_paths(make_vault: MakeVault, root: hvac.Client, prefix: str) -> None:
    put(root, f"{prefix}/acme/TOKEN", value="acme-token")
    put(root, f"{prefix}/<default>/TOKEN", value="default-token")
    put(root, f"{prefix}/TOKEN", value="shared-token")
    vault = await make_vault(tenant_aware=True)
    assert await vault.get_many(["TOKEN"], SecretContext(tenant_id="acme")) == {
        "TOKEN": "acme-token"
    }
    assert await vault.get_many(["TOKEN"], SecretContext()) == {"TOKEN": "default-token"}
    # strictly per tenant: no fallback to the shared path, no escape to another tenant
    assert await vault.get_many(["TOKEN"], SecretContext(tenant_id="other")) == {}
    assert await vault.get_many(["acme/TOKEN"], SecretContext(tenant_id="..")) == {}


async def test_permission_denied_by_policy_is_a_provider_error(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/allowed", KEY="allowed-value")
    put(root, f"{prefix}/denied", KEY="denied-value")
    policy = f"only-{prefix}"
    root.sys.create_or_update_policy(
        policy, f'path "secret/data/{prefix}/allowed" {{ capabilities = ["read"] }}'
    )
    token = root.auth.token.create(policies=[policy], ttl="1h")["auth"]["client_token"]
    vault = await make_vault(VaultAuth("token", token=token))
    assert await vault.get_many(["allowed/KEY"], CTX) == {"allowed/KEY": "allowed-value"}
    with pytest.raises(SecretProviderError) as caught:
        await vault.get_many(["denied/KEY"], CTX)
    assert caught.value.provider == "vault"
    assert "permission denied" in caught.value.reason
    assert f"secret/{prefix}/denied" in caught.value.reason
    assert "denied-value" not in str(caught.value)


async def test_server_stopped_mid_run_then_restarted(prefix: str) -> None:
    server = OpenBao()
    server.start()
    vault = VaultProvider(
        server.address, VaultAuth("token", token=server.root_token), path_prefix=prefix, timeout=2
    )
    try:
        await vault.start()
        put(server.client(), f"{prefix}/API_TOKEN", value="before-restart")
        assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "before-restart"}
        assert (await vault.health())["status"] == "up"

        server.stop()
        with pytest.raises(SecretProviderError) as caught:
            await vault.get_many(["API_TOKEN"], CTX)
        assert f"cannot connect to {server.address}" in caught.value.reason
        health = await vault.health()
        assert health["status"] == "down"
        assert "cannot connect" in health["error"]

        server.start()  # same port; a dev server starts empty
        put(server.client(), f"{prefix}/API_TOKEN", value="after-restart")
        assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "after-restart"}
        assert (await vault.health())["status"] == "up"
    finally:
        await vault.close()
        server.stop()


async def test_approle_login(make_vault: MakeVault, root: hvac.Client, prefix: str) -> None:
    put(root, f"{prefix}/API_TOKEN", value="approle-read")
    mount, role_id, secret_id = approle(root, prefix, ttl="1h", max_ttl="2h")
    auth = VaultAuth("approle", role_id=role_id, secret_id=secret_id, mount=mount)
    vault = await make_vault(auth)
    assert auth.logins == 1
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "approle-read"}
    health = await vault.health()
    assert health["status"] == "up"
    assert health["auth_method"] == "approle"
    assert 3500 < health["token_expires_in_seconds"] <= 3600


async def test_approle_with_a_wrong_secret_id(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    mount, role_id, _ = approle(root, prefix, ttl="1h", max_ttl="2h")
    auth = VaultAuth("approle", role_id=role_id, secret_id="not-the-secret-id", mount=mount)
    vault = await make_vault(auth)  # start() logs the failure, does not raise
    with pytest.raises(SecretProviderError) as caught:
        await vault.get_many(["API_TOKEN"], CTX)
    assert caught.value.reason.startswith("approle login failed")
    assert "not-the-secret-id" not in str(caught.value)
    health = await vault.health()
    assert health["status"] == "down"
    assert health["error"].startswith("approle login failed")


async def test_expired_token_logs_in_again(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/API_TOKEN", value="still-readable")
    mount, role_id, secret_id = approle(root, prefix, ttl="2s", max_ttl="2s")
    auth = VaultAuth("approle", role_id=role_id, secret_id=secret_id, mount=mount)
    vault = await make_vault(auth, start=False)  # no background renewal: the token expires
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "still-readable"}
    assert auth.state is not None
    first = auth.state.token
    await eventually(
        lambda: not token_valid(root, first), what="the first token expired", within=15.0
    )
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "still-readable"}
    assert auth.logins == 2
    assert auth.state.token != first


async def test_revoked_token_logs_in_again(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/API_TOKEN", value="after-revoke")
    mount, role_id, secret_id = approle(root, prefix, ttl="1h", max_ttl="2h")
    auth = VaultAuth("approle", role_id=role_id, secret_id=secret_id, mount=mount)
    vault = await make_vault(auth)
    assert auth.state is not None
    root.auth.token.revoke(auth.state.token)
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "after-revoke"}
    assert auth.logins == 2


async def test_background_renewal_keeps_the_token_alive(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/API_TOKEN", value="renewed")
    mount, role_id, secret_id = approle(root, prefix, ttl="4s", max_ttl="1h")
    auth = VaultAuth("approle", role_id=role_id, secret_id=secret_id, mount=mount)
    started = time.monotonic()
    vault = await make_vault(auth)
    assert auth.state is not None
    token = auth.state.token
    await eventually(
        lambda: auth.renewals >= 2 and time.monotonic() - started > 4.5, what="renewed", within=15.0
    )
    assert auth.logins == 1
    assert auth.state.token == token
    assert token_valid(root, token)
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "renewed"}


async def test_background_login_when_the_token_reaches_its_max_ttl(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/API_TOKEN", value="relogged")
    mount, role_id, secret_id = approle(root, prefix, ttl="2s", max_ttl="3s")
    auth = VaultAuth("approle", role_id=role_id, secret_id=secret_id, mount=mount)
    vault = await make_vault(auth)
    await eventually(
        lambda: auth.logins >= 2, what="logged in again before the max TTL", within=15.0
    )
    assert auth.state is not None and token_valid(root, auth.state.token)
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "relogged"}


async def test_static_token_is_renewed(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    put(root, f"{prefix}/API_TOKEN", value="static-renewed")
    root.sys.create_or_update_policy(f"read-{prefix}", read_policy("r", prefix))
    token = root.auth.token.create(policies=[f"read-{prefix}"], ttl="4s", renewable=True)["auth"][
        "client_token"
    ]
    auth = VaultAuth("token", token=token)
    started = time.monotonic()
    vault = await make_vault(auth)
    await eventually(
        lambda: auth.renewals >= 2 and time.monotonic() - started > 4.5, what="renewed", within=15.0
    )
    assert token_valid(root, token)
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "static-renewed"}


async def test_invalid_static_token(make_vault: MakeVault, prefix: str) -> None:
    vault = await make_vault(VaultAuth("token", token="not-a-real-token"))
    with pytest.raises(SecretProviderError) as caught:
        await vault.get_many(["API_TOKEN"], CTX)
    assert caught.value.reason.startswith("token lookup failed: HTTP 403")
    assert "not-a-real-token" not in str(caught.value)


async def test_kubernetes_login_reports_an_unreadable_service_account_token(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    missing = tmp_path / "no-token"
    auth = VaultAuth(
        "kubernetes", kubernetes_role="switchboard", kubernetes_token_path=str(missing)
    )
    vault = await make_vault(auth)
    with pytest.raises(SecretProviderError) as caught:
        await vault.get_many(["X"], CTX)
    assert str(missing) in caught.value.reason


async def test_management_set_list_delete(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    vault = await make_vault()
    # concurrent writes to keys of one Vault secret all survive (check-and-set merge)
    await asyncio.gather(
        vault.set_secret("db/user", "app-user"),
        vault.set_secret("db/password", "app-password"),
        vault.set_secret("db/host", "db.internal"),
        vault.set_secret("API_TOKEN", "first-token"),
    )
    info = await vault.set_secret("API_TOKEN", "second-token")
    assert (info.name, info.provider, info.version) == ("API_TOKEN", "vault", 2)
    assert info.updated_at is not None
    listed = await vault.list_secrets()
    assert [(i.name, i.version) for i in listed] == [
        ("API_TOKEN", 2),
        ("db/host", 3),
        ("db/password", 3),
        ("db/user", 3),
    ]
    assert await vault.get_many(["db/password", "API_TOKEN"], CTX) == {
        "db/password": "app-password",
        "API_TOKEN": "second-token",
    }
    await vault.delete_secret("db/user")
    await vault.delete_secret("db/host")
    assert [i.name for i in await vault.list_secrets()] == ["API_TOKEN", "db/password"]
    await vault.delete_secret("db/password")  # the last key: the whole Vault secret goes
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.read_secret_metadata(path=f"{prefix}/db", mount_point="secret")
    with pytest.raises(SecretNotFoundError):
        await vault.delete_secret("db/password")
    with pytest.raises(InvalidSecretNameError):
        await vault.set_secret("a//b", "x")
    # writing over a secret whose latest version was deleted
    root.secrets.kv.v2.delete_latest_version_of_secret(
        path=f"{prefix}/API_TOKEN", mount_point="secret"
    )
    assert await vault.get_many(["API_TOKEN"], CTX) == {}
    info = await vault.set_secret("API_TOKEN", "third-token")
    assert info.version == 3
    assert await vault.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "third-token"}


async def test_tenant_aware_management(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    vault = await make_vault(tenant_aware=True)
    await vault.set_secret("TOKEN", "acme-value", "acme")
    await vault.set_secret("TOKEN", "default-value")
    assert root.secrets.kv.v2.read_secret_version(
        path=f"{prefix}/acme/TOKEN", mount_point="secret", raise_on_deleted_version=True
    )["data"]["data"] == {"value": "acme-value"}
    assert [(i.name, i.tenant_id) for i in await vault.list_secrets("acme")] == [("TOKEN", "acme")]
    assert [(i.name, i.tenant_id) for i in await vault.list_secrets()] == [("TOKEN", "<default>")]


async def test_documented_policies_suffice(
    make_vault: MakeVault, root: hvac.Client, prefix: str
) -> None:
    manage = (
        f'path "secret/data/{prefix}/*" {{ capabilities = ["read", "create", "update"] }}\n'
        f'path "secret/metadata/{prefix}/*" {{ capabilities = ["list", "delete"] }}\n'
    )
    root.sys.create_or_update_policy(f"manage-{prefix}", manage)
    root.sys.create_or_update_policy(f"read-{prefix}", read_policy("r", prefix))
    manager = root.auth.token.create(policies=[f"manage-{prefix}"], ttl="1h")["auth"]
    reader = root.auth.token.create(policies=[f"read-{prefix}"], ttl="1h")["auth"]
    admin = await make_vault(VaultAuth("token", token=manager["client_token"]))
    runtime = await make_vault(VaultAuth("token", token=reader["client_token"]))
    await admin.set_secret("db/password", "managed-1")
    await admin.set_secret("db/user", "managed-2")
    assert [i.name for i in await admin.list_secrets()] == ["db/password", "db/user"]
    assert await runtime.get_many(["db/password"], CTX) == {"db/password": "managed-1"}
    with pytest.raises(SecretProviderError, match="permission denied"):
        await runtime.set_secret("db/password", "not-allowed")
    await admin.delete_secret("db/user")
    await admin.delete_secret("db/password")
    assert await admin.list_secrets() == []
