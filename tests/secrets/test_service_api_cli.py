"""SecretsService from settings, the REST router and the CLI (real OpenBao, real ASGI app)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import hvac
import pytest
from fastapi import FastAPI

from app.api.secrets import router, secrets_service
from app.cli import main as cli_main
from app.secrets import (
    SecretContext,
    SecretsConfigError,
    SecretsReadOnlyError,
    SecretsService,
)
from app.settings import load_settings
from tests.secrets.conftest import put
from tests.support.openbao import OpenBao, free_port_pair

REPO = Path(__file__).resolve().parents[2]


def vault_settings(openbao: OpenBao, prefix: str, **extra: object) -> dict[str, object]:
    return {
        "VAULT_ADDR": openbao.address,
        "VAULT_TOKEN": openbao.root_token,
        "SWITCHBOARD_VAULT_PATH_PREFIX": prefix,
        "SWITCHBOARD_VAULT_TIMEOUT_SECONDS": 3,
        **extra,
    }


@pytest.fixture
async def service(openbao: OpenBao, prefix: str) -> AsyncIterator[SecretsService]:
    settings = load_settings(
        **vault_settings(openbao, prefix, SWITCHBOARD_SECRETS_CACHE_SECONDS=60)
    )
    svc = SecretsService.from_settings(settings, environ={"SECRET_FROM_ENV": "env-only-value"})
    await svc.start()
    yield svc
    await svc.close()


def api(service: SecretsService) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[secrets_service] = lambda: service
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")


# -- service -----------------------------------------------------------------------------------


async def test_environment_only_service_is_read_only() -> None:
    svc = SecretsService.from_settings(load_settings(), environ={"SECRET_A": "a-value"})
    await svc.start()
    try:
        assert [p.name for p in svc.providers] == ["environment"]
        assert svc.writable is None
        with pytest.raises(SecretsReadOnlyError) as caught:
            await svc.set_secret("A", "new")
        assert "VAULT_ADDR" in str(caught.value)
        with pytest.raises(SecretsReadOnlyError):
            await svc.delete_secret("A")
        assert await svc.health() == {
            "status": "up",
            "providers": {"environment": {"status": "up", "prefix": "SECRET_"}},
        }
        assert await svc.resolver.lookup({"A"}, SecretContext()) == {"A": "a-value"}
    finally:
        await svc.close()


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        ({"VAULT_ADDR": "http://127.0.0.1:1"}, "VAULT_TOKEN"),
        (
            {"VAULT_ADDR": "http://127.0.0.1:1", "SWITCHBOARD_VAULT_AUTH_METHOD": "approle"},
            "SWITCHBOARD_VAULT_ROLE_ID",
        ),
        (
            {"VAULT_ADDR": "http://127.0.0.1:1", "SWITCHBOARD_VAULT_AUTH_METHOD": "kubernetes"},
            "SWITCHBOARD_VAULT_KUBERNETES_ROLE",
        ),
    ],
)
def test_incomplete_vault_settings_name_the_variable(
    settings: dict[str, str], variable: str
) -> None:
    with pytest.raises(SecretsConfigError) as caught:
        SecretsService.from_settings(load_settings(**settings))
    assert str(caught.value).startswith(f"{variable}: required")


async def test_service_chain_health_and_cache_invalidation(
    service: SecretsService, root: hvac.Client, prefix: str
) -> None:
    assert [p.name for p in service.providers] == ["environment", "vault"]
    health = await service.health()
    assert health["status"] == "up"
    assert health["providers"]["vault"]["status"] == "up"
    put(root, f"{prefix}/API_TOKEN", value="cached-value-1")
    ctx = SecretContext()
    assert await service.resolver.lookup({"API_TOKEN", "FROM_ENV"}, ctx) == {
        "API_TOKEN": "cached-value-1",
        "FROM_ENV": "env-only-value",
    }
    put(root, f"{prefix}/API_TOKEN", value="changed-outside")
    assert await service.resolver.lookup({"API_TOKEN"}, ctx) == {"API_TOKEN": "cached-value-1"}
    await service.set_secret("API_TOKEN", "set-through-service")  # invalidates the cache entry
    assert await service.resolver.lookup({"API_TOKEN"}, ctx) == {"API_TOKEN": "set-through-service"}
    assert service.masker.mask("set-through-service") == "***"


async def test_health_is_down_when_vault_is_unreachable(prefix: str) -> None:
    settings = load_settings(
        VAULT_ADDR=f"http://127.0.0.1:{free_port_pair()}",
        VAULT_TOKEN="whatever",
        SWITCHBOARD_VAULT_TIMEOUT_SECONDS=1,
    )
    svc = SecretsService.from_settings(settings, environ={})
    await svc.start()
    try:
        health = await svc.health()
    finally:
        await svc.close()
    assert health["status"] == "down"
    assert health["providers"]["environment"]["status"] == "up"
    assert health["providers"]["vault"]["status"] == "down"
    assert "cannot connect" in health["providers"]["vault"]["error"]


# -- REST --------------------------------------------------------------------------------------


async def test_rest_put_list_delete(
    service: SecretsService, root: hvac.Client, prefix: str
) -> None:
    value = f"rest-value-{uuid.uuid4().hex}"
    bodies: list[str] = []
    async with api(service) as client:
        response = await client.put("/api/v1/secrets/db/password", json={"value": value})
        bodies.append(response.text)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["name"] == "db/password"
        assert body["provider"] == "vault"
        assert body["version"] == 1
        assert body["shadowedBy"] is None
        stored = root.secrets.kv.v2.read_secret_version(
            path=f"{prefix}/db", mount_point="secret", raise_on_deleted_version=True
        )
        assert stored["data"]["data"] == {"password": value}

        response = await client.put("/api/v1/secrets/FROM_ENV", json={"value": value})
        bodies.append(response.text)
        assert response.json()["shadowedBy"] == "environment"

        response = await client.get("/api/v1/secrets")
        bodies.append(response.text)
        assert response.status_code == 200
        items = {(i["name"], i["provider"]) for i in response.json()["items"]}
        assert items == {
            ("FROM_ENV", "environment"),
            ("FROM_ENV", "vault"),
            ("db/password", "vault"),
        }

        response = await client.delete("/api/v1/secrets/db/password")
        assert response.status_code == 204
        response = await client.delete("/api/v1/secrets/db/password")
        bodies.append(response.text)
        assert response.status_code == 404
        assert response.json()["detail"] == "Secret with name 'db/password' is not available"
        assert response.json()["status"] == 404
    assert not any(value in b for b in bodies)


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (b'{"value": 12345678}', "value", "required, a non-empty string"),
        (b'{"value": ""}', "value", "required, a non-empty string"),
        (b'{"valu": "hunter2222"}', "valu", "unknown field (only value is accepted)"),
        (b'"hunter2222"', "body", 'must be a JSON object {"value": "..."}'),
        (b"hunter2222", "body", 'must be a JSON object {"value": "..."}'),
        (b"", "body", 'must be a JSON object {"value": "..."}'),
    ],
)
async def test_rest_rejects_bad_bodies_without_echoing_them(
    service: SecretsService, body: bytes, field: str, reason: str
) -> None:
    async with api(service) as client:
        response = await client.put(
            "/api/v1/secrets/X", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == f"{field}: {reason}"
    assert problem["errors"] == [{"location": "body", "field": field, "reason": reason}]
    assert "hunter2222" not in response.text and "12345678" not in response.text


async def test_rest_rejects_bad_names_and_long_values(service: SecretsService) -> None:
    async with api(service) as client:
        response = await client.put("/api/v1/secrets/a__b", json={"value": "some-value"})
        too_long = await client.put("/api/v1/secrets/A", json={"value": "x" * 70_000})
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"].startswith("Invalid secret name 'a__b': use letters")
    assert problem["errors"][0]["location"] == "path"
    assert problem["errors"][0]["field"] == "name"
    assert too_long.status_code == 422
    assert too_long.json()["errors"] == [
        {"location": "body", "field": "value", "reason": "longer than 65536 characters"}
    ]


async def test_rest_conflict_when_read_only() -> None:
    svc = SecretsService.from_settings(load_settings(), environ={})
    async with api(svc) as client:
        put_response = await client.put("/api/v1/secrets/A", json={"value": "some-value"})
        delete_response = await client.delete("/api/v1/secrets/A")
        list_response = await client.get("/api/v1/secrets")
    assert put_response.status_code == 409
    assert "read-only" in put_response.json()["detail"]
    assert delete_response.status_code == 409
    assert list_response.status_code == 200


async def test_rest_unavailable_when_vault_is_down() -> None:
    settings = load_settings(
        VAULT_ADDR=f"http://127.0.0.1:{free_port_pair()}",
        VAULT_TOKEN="whatever",
        SWITCHBOARD_VAULT_TIMEOUT_SECONDS=1,
    )
    svc = SecretsService.from_settings(settings, environ={})
    try:
        async with api(svc) as client:
            response = await client.put("/api/v1/secrets/A", json={"value": "some-value"})
            listed = await client.get("/api/v1/secrets")
    finally:
        await svc.close()
    assert response.status_code == 503
    assert response.json()["detail"].startswith("Secret provider 'vault' failed: ")
    assert listed.status_code == 503


# -- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(openbao: OpenBao, prefix: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {k: str(v) for k, v in vault_settings(openbao, prefix).items()}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def run_cli(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli_main(argv)


def test_cli_set_list_delete(
    cli_env: dict[str, str],
    root: hvac.Client,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    value = f"cli-value-{uuid.uuid4().hex}"
    assert run_cli(monkeypatch, ["secrets", "set", "API_TOKEN"], value + "\n") == 0
    stored = root.secrets.kv.v2.read_secret_version(
        path=f"{prefix}/API_TOKEN", mount_point="secret", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == {"value": value}  # the trailing newline is dropped
    assert run_cli(monkeypatch, ["secrets", "list"]) == 0
    assert run_cli(monkeypatch, ["secrets", "list", "--json"]) == 0
    assert run_cli(monkeypatch, ["secrets", "delete", "API_TOKEN"]) == 0
    assert run_cli(monkeypatch, ["secrets", "delete", "API_TOKEN"]) == 1
    assert run_cli(monkeypatch, ["secrets", "set", "API_TOKEN"], "") == 64
    assert run_cli(monkeypatch, ["secrets", "set", "bad name"], "x-value") == 64
    out, err = capsys.readouterr()
    assert value not in out + err
    lines = out.splitlines()
    assert lines[0] == "stored API_TOKEN in vault (version 1)"
    assert lines[1].split() == ["NAME", "PROVIDER", "VERSION", "UPDATED"]
    assert lines[2].split()[:3] == ["API_TOKEN", "vault", "1"]
    listed = json.loads("\n".join(lines[3 : lines.index("deleted API_TOKEN")]))
    assert [(i["name"], i["version"]) for i in listed] == [("API_TOKEN", 1)]
    assert "Secret with name 'API_TOKEN' is not available" in err
    assert "no value on standard input" in err
    assert "Invalid secret name 'bad name'" in err


def test_cli_read_only_without_vault(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VAULT_ADDR", raising=False)
    assert run_cli(monkeypatch, ["secrets", "set", "A"], "a-value") == 64
    assert "read-only" in capsys.readouterr().err


def test_cli_set_in_a_real_process_reads_stdin(
    cli_env: dict[str, str], root: hvac.Client, prefix: str
) -> None:
    value = f"process-value-{uuid.uuid4().hex}"
    env = {**os.environ, **cli_env}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "secrets", "set", "db/password"],
        input=value,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert value not in result.stdout + result.stderr
    stored = root.secrets.kv.v2.read_secret_version(
        path=f"{prefix}/db", mount_point="secret", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == {"password": value}
