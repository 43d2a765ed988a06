"""docker/vault-init.sh against a real OpenBao dev server (CLI-compatible with Vault's),
and Switchboard's own Vault provider reading back what it wrote."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass

import pytest

from app.secrets.service import SecretsService
from app.settings.secrets import SecretsSettings
from tests.deploy.tools import ROOT, free_port
from tests.support.openbao import OpenBao, bao_binary

SCRIPT = ROOT / "docker" / "vault-init.sh"
# Awkward on purpose: spaces, quotes, $, a leading @ (a file reference to the Vault CLI),
# a newline and non-ASCII.
AWKWARD_VALUE = '@tok en "with" $HOME\nand ünïcode'


@dataclass(frozen=True)
class _Job:
    tenant_id: str = "<default>"
    bpmn_process_id: str = "switchboard-status-check"


def run_init(
    openbao: OpenBao, secrets: dict[str, str], timeout: float = 30, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ["PATH"],
        "HOME": tempfile.gettempdir(),
        "VAULT_ADDR": openbao.address,
        "VAULT_TOKEN": openbao.root_token,
        "VAULT_CLI": bao_binary(),
        **{f"VAULT_INIT_SECRET_{name}": value for name, value in secrets.items()},
        **env,
    }
    return subprocess.run(
        ["sh", str(SCRIPT)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_value(openbao: OpenBao, mount: str, path: str) -> str:
    response = openbao.client().secrets.kv.v2.read_secret_version(
        path=path, mount_point=mount, raise_on_deleted_version=True
    )
    return response["data"]["data"]["value"]


@pytest.fixture
def prefix() -> str:
    return f"vault-init-test-{uuid.uuid4().hex[:8]}"


def test_writes_each_secret_where_the_provider_reads_it(openbao: OpenBao, prefix: str) -> None:
    result = run_init(
        openbao,
        {"DEMO_API_TOKEN": AWKWARD_VALUE, "OTHER": "second-value"},
        VAULT_INIT_PATH_PREFIX=prefix,
    )
    assert result.returncode == 0, result.stderr
    assert read_value(openbao, "secret", f"{prefix}/DEMO_API_TOKEN") == AWKWARD_VALUE
    assert read_value(openbao, "secret", f"{prefix}/OTHER") == "second-value"
    assert f"{prefix}/DEMO_API_TOKEN" in result.stderr
    # Names, never values.
    for output in (result.stdout, result.stderr):
        assert "tok en" not in output and "second-value" not in output


async def test_switchboards_vault_provider_resolves_the_sample_secret(
    openbao: OpenBao, prefix: str
) -> None:
    result = run_init(openbao, {"DEMO_API_TOKEN": AWKWARD_VALUE}, VAULT_INIT_PATH_PREFIX=prefix)
    assert result.returncode == 0, result.stderr
    settings = SecretsSettings.model_validate(
        {
            "SWITCHBOARD_SECRETS_ENV_ENABLED": False,
            "VAULT_ADDR": openbao.address,
            "VAULT_TOKEN": openbao.root_token,
            "SWITCHBOARD_VAULT_MOUNT": "secret",
            "SWITCHBOARD_VAULT_PATH_PREFIX": prefix,
        }
    )
    service = SecretsService.from_settings(settings)
    await service.start()
    try:
        resolved = await service.resolve({"DEMO_API_TOKEN"}, _Job())
    finally:
        await service.close()
    assert resolved == {"DEMO_API_TOKEN": AWKWARD_VALUE}


def test_rerun_writes_a_new_version_and_keeps_other_secrets(openbao: OpenBao, prefix: str) -> None:
    assert (
        run_init(openbao, {"A": "one", "B": "bee"}, VAULT_INIT_PATH_PREFIX=prefix).returncode == 0
    )
    again = run_init(openbao, {"A": "two"}, VAULT_INIT_PATH_PREFIX=prefix)
    assert again.returncode == 0, again.stderr
    assert read_value(openbao, "secret", f"{prefix}/A") == "two"
    assert read_value(openbao, "secret", f"{prefix}/B") == "bee"


def test_empty_prefix_writes_at_the_mount_root(openbao: OpenBao) -> None:
    name = f"VAULT_INIT_ROOT_{uuid.uuid4().hex[:8].upper()}"
    result = run_init(openbao, {name: "at-root"}, VAULT_INIT_PATH_PREFIX="")
    assert result.returncode == 0, result.stderr
    assert read_value(openbao, "secret", name) == "at-root"


def test_enables_a_kv2_engine_at_a_new_mount(openbao: OpenBao) -> None:
    mount = f"kv-{uuid.uuid4().hex[:8]}"
    result = run_init(openbao, {"X": "in-new-mount"}, VAULT_INIT_MOUNT=mount)
    assert result.returncode == 0, result.stderr
    mounts = openbao.client().sys.list_mounted_secrets_engines()["data"]
    assert mounts[f"{mount}/"]["options"]["version"] == "2"
    assert read_value(openbao, mount, "switchboard/X") == "in-new-mount"


def test_refuses_a_kv_version_1_mount(openbao: OpenBao) -> None:
    mount = f"kv1-{uuid.uuid4().hex[:8]}"
    openbao.client().sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    result = run_init(openbao, {"X": "nope"}, VAULT_INIT_MOUNT=mount)
    assert result.returncode == 1
    assert f"mount '{mount}/' exists but is not a KV version 2 engine" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VAULT_INIT_TIMEOUT_SECONDS": "soon"}, "VAULT_INIT_TIMEOUT_SECONDS must be a whole"),
        ({"VAULT_INIT_MOUNT": "bad mount"}, "VAULT_INIT_MOUNT must be a non-empty path"),
        ({"VAULT_INIT_PATH_PREFIX": "a b"}, "VAULT_INIT_PATH_PREFIX may only contain"),
    ],
)
def test_bad_settings_exit_2_naming_the_variable(
    openbao: OpenBao, env: dict[str, str], message: str
) -> None:
    result = run_init(openbao, {"X": "unused"}, **env)
    assert result.returncode == 2
    assert message in result.stderr


def test_nothing_to_write_exits_2(openbao: OpenBao) -> None:
    result = run_init(openbao, {})
    assert result.returncode == 2
    assert "no VAULT_INIT_SECRET_<NAME> variable is set" in result.stderr


def test_gives_up_after_the_timeout_when_vault_does_not_answer(openbao: OpenBao) -> None:
    started = time.monotonic()
    result = run_init(
        openbao,
        {"X": "never-written"},
        timeout=20,
        VAULT_ADDR=f"http://127.0.0.1:{free_port()}",
        VAULT_INIT_TIMEOUT_SECONDS="2",
    )
    assert result.returncode == 1
    assert "did not become ready within 2s" in result.stderr
    assert time.monotonic() - started < 15
