"""docker-compose.yml: valid for `docker compose config`, the services and their wiring,
healthchecks and start order, and every variable it reads documented in .env.example."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.settings import Settings
from tests.deploy.tools import ROOT, TOOL_TIMEOUT, compose_command

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
PINNED_TAG = re.compile(r"^\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$")  # 8.8.0, 16.6-alpine
SETTINGS_ENV_NAMES = {
    info.validation_alias
    for info in Settings.model_fields.values()
    if isinstance(info.validation_alias, str)
}


class Compose:
    """Runs `docker compose` on the project's compose file with a chosen env file."""

    def __init__(self, tmp: Path) -> None:
        self.command, self.env = compose_command(tmp / "docker-config")

    def run(self, env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
        # --env-file replaces the developer's own .env; --no-env-resolution keeps the
        # switchboard service's env_file (.env) from being read into the output.
        return subprocess.run(
            [
                *self.command,
                "--project-directory",
                str(ROOT),
                "-f",
                str(COMPOSE_FILE),
                "--env-file",
                str(env_file),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            env=self.env,
            check=False,
        )

    def model(self, env_file: Path) -> dict[str, Any]:
        result = self.run(
            env_file, "--profile", "example", "config", "--format", "json", "--no-env-resolution"
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Compose:
    return Compose(tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="module")
def empty_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("env") / "empty.env"
    path.write_text("")
    return path


@pytest.fixture(scope="module", params=["defaults", "env-example"])
def model(request: pytest.FixtureRequest, compose: Compose, empty_env: Path) -> dict[str, Any]:
    """The resolved compose model, with every variable at its default and with .env.example."""
    return compose.model(empty_env if request.param == "defaults" else ENV_EXAMPLE)


def services(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return model["services"]


def test_docker_compose_config_passes(compose: Compose, empty_env: Path) -> None:
    for env_file in (empty_env, ENV_EXAMPLE):
        for profile_args in ((), ("--profile", "example")):
            result = compose.run(env_file, *profile_args, "config", "--quiet")
            assert result.returncode == 0, f"{env_file.name} {profile_args}: {result.stderr}"
            assert result.stderr == "", result.stderr  # no warnings (e.g. an unset variable)


def test_docker_compose_config_rejects_a_broken_file(compose: Compose, tmp_path: Path) -> None:
    # The check above can fail: a depends_on on an unknown service is refused.
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE_FILE.read_text().replace(
            "vault-init:\n        condition", "vault-missing:\n        condition", 1
        )
    )
    result = subprocess.run(
        [*compose.command, "-f", str(broken), "--env-file", "/dev/null", "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        env=compose.env,
        check=False,
    )
    assert result.returncode != 0
    assert "vault-missing" in result.stderr


def test_services_and_pinned_images(model: dict[str, Any]) -> None:
    svc = services(model)
    assert set(svc) == {"zeebe", "postgres", "vault", "vault-init", "switchboard", "example"}
    assert svc["example"]["profiles"] == ["example"]
    expected_repos = {
        "zeebe": "camunda/zeebe",
        "postgres": "postgres",
        "vault": "hashicorp/vault",
        "vault-init": "hashicorp/vault",
    }
    for name, repo in expected_repos.items():
        image_repo, _, tag = svc[name]["image"].rpartition(":")
        assert image_repo == repo, name
        assert PINNED_TAG.match(tag), f"{name}: image tag {tag!r} is not a pinned version"
    assert svc["vault-init"]["image"] == svc["vault"]["image"]
    assert svc["switchboard"]["build"]["context"] == str(ROOT)
    assert Path(svc["switchboard"]["build"]["dockerfile"]).name == "Dockerfile"
    assert svc["example"]["image"] == svc["switchboard"]["image"]
    # Built here, never pulled: the tag exists on no registry.
    assert svc["switchboard"]["pull_policy"] == "build"
    assert svc["example"]["pull_policy"] == "never"


def test_long_running_services_have_healthchecks(model: dict[str, Any]) -> None:
    svc = services(model)
    for name in ("zeebe", "postgres", "vault", "switchboard"):
        check = svc[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert not check.get("disable"), name
    zeebe_check = " ".join(svc["zeebe"]["healthcheck"]["test"])
    assert "/actuator/health/readiness" in zeebe_check
    switchboard_check = " ".join(svc["switchboard"]["healthcheck"]["test"])
    assert "/health/ready" in switchboard_check
    # One-shot jobs are awaited by exit status, not health.
    assert "healthcheck" not in svc["vault-init"]


def test_start_order_uses_health_and_completion_conditions(model: dict[str, Any]) -> None:
    svc = services(model)

    def conditions(name: str) -> dict[str, str]:
        return {dep: spec["condition"] for dep, spec in svc[name]["depends_on"].items()}

    assert conditions("switchboard") == {
        "postgres": "service_healthy",
        "zeebe": "service_healthy",
        "vault-init": "service_completed_successfully",
    }
    assert conditions("vault-init") == {"vault": "service_healthy"}
    assert conditions("example") == {"switchboard": "service_healthy"}
    assert svc["vault-init"]["restart"] == "no"


def test_switchboard_can_be_scaled(model: dict[str, Any]) -> None:
    switchboard = services(model)["switchboard"]
    assert "container_name" not in switchboard
    for port in switchboard.get("ports", []):
        assert port["target"] == 8080
        published = str(port.get("published", ""))
        # A range (or no host port): N replicas never fight over one fixed host port.
        assert published == "" or re.fullmatch(r"\d+-\d+", published), published
        if published:
            low, high = (int(p) for p in published.split("-"))
            assert high - low + 1 >= 3, "the range must fit --scale switchboard=3"
        assert port.get("host_ip") == "127.0.0.1"


def test_switchboard_is_wired_to_the_other_services(model: dict[str, Any]) -> None:
    svc = services(model)
    env = svc["switchboard"]["environment"]
    # Every variable set for Switchboard is a real setting (catches renamed settings).
    assert set(env) <= SETTINGS_ENV_NAMES, set(env) - SETTINGS_ENV_NAMES
    assert env["SWITCHBOARD_HOST"] == "0.0.0.0"
    assert env["ZEEBE_ADDRESS"] == "zeebe:26500"
    assert env["VAULT_ADDR"] == "http://vault:8200"

    url = urlsplit(env["SWITCHBOARD_DATABASE_URL"])
    pg = svc["postgres"]["environment"]
    assert url.scheme == "postgresql+asyncpg"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.username == pg["POSTGRES_USER"]
    assert url.password == pg["POSTGRES_PASSWORD"]
    assert url.path == "/" + pg["POSTGRES_DB"]

    vault = svc["vault"]["environment"]
    init = svc["vault-init"]["environment"]
    assert env["VAULT_TOKEN"] == vault["VAULT_DEV_ROOT_TOKEN_ID"] == init["VAULT_TOKEN"]
    assert init["VAULT_ADDR"] == "http://vault:8200"
    assert init["VAULT_INIT_MOUNT"] == env["SWITCHBOARD_VAULT_MOUNT"]
    assert init["VAULT_INIT_PATH_PREFIX"] == env["SWITCHBOARD_VAULT_PATH_PREFIX"]
    # The example process reads {{secrets.DEMO_API_TOKEN}}; vault-init writes it.
    assert "VAULT_INIT_SECRET_DEMO_API_TOKEN" in init
    bpmn = (ROOT / "examples" / "status-check.bpmn").read_text()
    assert "{{secrets.DEMO_API_TOKEN}}" in bpmn

    healthcheck = " ".join(svc["switchboard"]["healthcheck"]["test"])
    assert f"127.0.0.1:{env['SWITCHBOARD_PORT']}/" in healthcheck
    # SIGTERM grace: longer than the app's own drain time.
    grace = svc["switchboard"]["stop_grace_period"]
    assert grace.endswith("s") and float(grace[:-1]) > Settings().shutdown_grace_seconds


def test_mounted_files_exist(model: dict[str, Any]) -> None:
    svc = services(model)
    mounts = {
        name: [v for v in spec.get("volumes", []) if v["type"] == "bind"]
        for name, spec in svc.items()
    }
    init_script = mounts["vault-init"][0]
    assert Path(init_script["source"]) == ROOT / "docker" / "vault-init.sh"
    assert svc["vault-init"]["entrypoint"][-1] == init_script["target"]
    examples = mounts["example"][0]
    assert Path(examples["source"]) == ROOT / "examples"
    script = svc["example"]["entrypoint"][-1]
    assert script.startswith(examples["target"] + "/")
    assert (ROOT / "examples" / script.removeprefix(examples["target"] + "/")).is_file()


def _interpolated_names(text: str) -> set[str]:
    # ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}, $NAME; $$ is a literal $.
    text = text.replace("$$", "")
    braced = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)
    bare = re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)
    return set(braced) | set(bare)


def _env_example_names() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_every_variable_the_stack_reads_is_in_env_example(
    compose: Compose, empty_env: Path
) -> None:
    result = compose.run(empty_env, "--profile", "example", "config", "--variables")
    assert result.returncode == 0, result.stderr
    reported = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    scanned = _interpolated_names(COMPOSE_FILE.read_text())
    assert reported == scanned, "the scan and docker compose disagree on the variables read"
    assert len(reported) >= 10
    missing = sorted(reported - _env_example_names())
    assert not missing, f"variables read by docker-compose.yml missing from .env.example: {missing}"
