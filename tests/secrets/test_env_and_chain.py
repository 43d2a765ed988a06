"""The environment provider and the provider chain (order, errors, cache, masking)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.secrets import (
    EnvironmentProvider,
    SecretChain,
    SecretContext,
    SecretMasker,
    SecretNotFoundError,
    SecretProviderError,
)
from app.secrets.vault import VaultProvider
from app.secrets.vault_auth import VaultAuth
from tests.support.openbao import free_port_pair


@dataclass(frozen=True)
class FakeJob:
    tenant_id: str = "<default>"
    bpmn_process_id: str = "order-process"


CTX = SecretContext()


async def test_prefix_and_plain_names() -> None:
    env = {"SECRET_API_TOKEN": "t0k3n", "API_TOKEN": "unprefixed", "SECRET_db/password": "pw"}
    provider = EnvironmentProvider(environ=env)
    found = await provider.get_many(["API_TOKEN", "db/password", "MISSING"], CTX)
    assert found == {"API_TOKEN": "t0k3n", "db/password": "pw"}


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("my-api-key", "SECRET_MY_API_KEY"),
        ("my.api.key", "SECRET_MY_API_KEY"),
        ("my.api-key", "SECRET_MY_API_KEY"),
        ("my-key", "SECRET_my_key"),  # before upper-casing: as written, '-' replaced
        ("db.pw", "SECRET_db_pw"),
        ("Token", "SECRET_TOKEN"),
        ("my-key", "SECRET_my-key"),  # as written wins
    ],
)
async def test_names_are_relaxed_as_spring_relaxes_environment_names(
    name: str, variable: str
) -> None:
    # camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
    # connector/runtime/secret/EnvironmentSecretProvider.java reads environment.getProperty(
    # prefix + name); Spring's SystemEnvironmentPropertySource.resolvePropertyName
    # (spring-projects/spring-framework spring-core/.../core/env/
    # SystemEnvironmentPropertySource.java) tries the name as written, with '.' and/or '-'
    # replaced by '_', then the same upper-cased.
    provider = EnvironmentProvider(environ={variable: "found", "SECRET_unrelated": "x"})
    assert await provider.get_many([name], CTX) == {name: "found"}


async def test_relaxed_names_prefer_the_name_as_written() -> None:
    env = {"SECRET_my-key": "as written", "SECRET_my_key": "dash", "SECRET_MY_KEY": "upper"}
    provider = EnvironmentProvider(environ=env)
    assert await provider.get_many(["my-key"], CTX) == {"my-key": "as written"}
    del env["SECRET_my-key"]
    assert await provider.get_many(["my-key"], CTX) == {"my-key": "dash"}
    del env["SECRET_my_key"]
    assert await provider.get_many(["my-key"], CTX) == {"my-key": "upper"}
    assert await provider.get_many(["other-key"], CTX) == {}


async def test_empty_prefix_reads_any_variable() -> None:
    provider = EnvironmentProvider("", environ={"API_TOKEN": "x1"})
    assert await provider.get_many(["API_TOKEN"], CTX) == {"API_TOKEN": "x1"}
    assert await provider.list_secrets() == []  # never lists the whole environment


async def test_tenant_and_process_aware_names() -> None:
    env = {
        "SECRET_acme_T": "tenant",
        "SECRET_acme_order_T": "tenant+process",
        "SECRET_order_T": "process",
        "SECRET_T": "plain",
    }
    ctx = SecretContext(tenant_id="acme", process_id="order")
    tenant = EnvironmentProvider(environ=env, tenant_aware=True)
    both = EnvironmentProvider(environ=env, tenant_aware=True, process_aware=True)
    process = EnvironmentProvider(environ=env, process_aware=True)
    assert await tenant.get_many(["T"], ctx) == {"T": "tenant"}
    assert await both.get_many(["T"], ctx) == {"T": "tenant+process"}
    assert await process.get_many(["T"], ctx) == {"T": "process"}
    assert await tenant.get_many(["T"], SecretContext(tenant_id="other")) == {}
    assert both.variable_name("T", ctx) == "SECRET_acme_order_T"


async def test_empty_value_counts_as_found() -> None:
    provider = EnvironmentProvider(environ={"SECRET_EMPTY": ""})
    chain = SecretChain([provider], SecretMasker())
    assert await chain.lookup(["EMPTY"], CTX) == {"EMPTY": ""}


async def test_list_names_without_prefix() -> None:
    provider = EnvironmentProvider(environ={"SECRET_B": "1", "SECRET_A": "2", "OTHER": "3"})
    assert [i.name for i in await provider.list_secrets()] == ["A", "B"]


async def test_chain_first_value_wins_and_missing_is_an_input_error() -> None:
    first = EnvironmentProvider("FIRST_", environ={"FIRST_A": "from-first"})
    second = EnvironmentProvider(
        "SECOND_", environ={"SECOND_A": "from-second", "SECOND_B": "b-second"}
    )
    chain = SecretChain([first, second], SecretMasker())
    assert await chain.lookup({"A", "B"}, CTX) == {"A": "from-first", "B": "b-second"}
    with pytest.raises(SecretNotFoundError) as caught:
        await chain.lookup({"A", "ZZ", "MISSING"}, CTX)
    assert str(caught.value) == "Secret with name 'MISSING' is not available"
    assert await chain.lookup(set(), CTX) == {}


async def test_resolve_uses_the_job_context_and_feeds_the_masker() -> None:
    masker = SecretMasker()
    provider = EnvironmentProvider(
        environ={"SECRET_acme_TOKEN": "tenant-token-value"}, tenant_aware=True
    )
    chain = SecretChain([provider], masker)
    assert await chain.resolve({"TOKEN"}, FakeJob(tenant_id="acme")) == {
        "TOKEN": "tenant-token-value"
    }
    assert masker.mask("x tenant-token-value") == "x ***"


async def test_a_provider_that_is_down_stops_the_chain() -> None:
    port = free_port_pair()  # nothing listens there
    vault = VaultProvider(f"http://127.0.0.1:{port}", VaultAuth("token", token="t"), timeout=2)
    env = EnvironmentProvider(environ={"SECRET_IN_ENV": "env-value"})
    chain = SecretChain([env, vault], SecretMasker())
    try:
        # answered by the first provider: Vault is never asked
        assert await chain.lookup({"IN_ENV"}, CTX) == {"IN_ENV": "env-value"}
        with pytest.raises(SecretProviderError) as caught:
            await chain.lookup({"IN_ENV", "ONLY_IN_VAULT"}, CTX)
    finally:
        await vault.close()
    assert caught.value.provider == "vault"
    assert f"cannot connect to http://127.0.0.1:{port}" in str(caught.value)


async def test_cache_serves_values_until_they_expire() -> None:
    now = [100.0]
    env: dict[str, str] = {"SECRET_A": "v1-value"}
    chain = SecretChain(
        [EnvironmentProvider(environ=env)], SecretMasker(), cache_seconds=10, clock=lambda: now[0]
    )
    assert await chain.lookup({"A"}, CTX) == {"A": "v1-value"}
    env["SECRET_A"] = "v2-value"
    now[0] += 9.9
    assert await chain.lookup({"A"}, CTX) == {"A": "v1-value"}
    # scoped by tenant: another tenant does not see the cached value
    assert await chain.lookup({"A"}, SecretContext(tenant_id="t2")) == {"A": "v2-value"}
    now[0] += 0.2
    assert await chain.lookup({"A"}, CTX) == {"A": "v2-value"}
    env["SECRET_A"] = "v3-value"
    chain.invalidate("A")
    assert await chain.lookup({"A"}, CTX) == {"A": "v3-value"}
    # misses are not cached: a secret created later is found at once
    env["SECRET_NEW"] = "new-value"
    assert await chain.lookup({"NEW"}, CTX) == {"NEW": "new-value"}


async def test_without_cache_every_lookup_reads_the_provider() -> None:
    env = {"SECRET_A": "v1-value"}
    chain = SecretChain([EnvironmentProvider(environ=env)], SecretMasker())
    await chain.lookup({"A"}, CTX)
    env["SECRET_A"] = "v2-value"
    assert await chain.lookup({"A"}, CTX) == {"A": "v2-value"}
