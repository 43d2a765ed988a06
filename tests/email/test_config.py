"""The e-mail connector's environment settings: parsing, errors naming the variable, the
app's mirror (configuration reference) and the startup check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings.email import EmailSettings
from connectors.email import check_environment, email
from connectors.email import config as email_config
from connectors.email.config import EmailConfig, EmailConfigError


def test_defaults_and_values() -> None:
    assert EmailConfig.from_env({}) == EmailConfig(None, 30.0, 4, 60.0, 8)
    parsed = EmailConfig.from_env(
        {
            "SWITCHBOARD_EMAIL_TIMEOUT_SECONDS": "2.5",
            "SWITCHBOARD_EMAIL_MAX_CONNECTIONS": "9",
            "SWITCHBOARD_EMAIL_IDLE_SECONDS": "0",
            "SWITCHBOARD_EMAIL_THREADS": "3",
        }
    )
    assert (parsed.timeout, parsed.max_connections, parsed.idle_seconds, parsed.threads) == (
        2.5,
        9,
        0.0,
        3,
    )


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SWITCHBOARD_EMAIL_MAX_CONNECTIONS", "many", "must be an integer"),
        ("SWITCHBOARD_EMAIL_MAX_CONNECTIONS", "0", "must be > 0"),
        ("SWITCHBOARD_EMAIL_TIMEOUT_SECONDS", "-1", "must be > 0"),
        ("SWITCHBOARD_EMAIL_IDLE_SECONDS", "-1", "must be >= 0"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, reason: str) -> None:
    with pytest.raises(EmailConfigError, match=f"{name} {reason}"):
        EmailConfig.from_env({name: value})


def test_the_settings_mirror_lists_every_variable() -> None:
    ours = {
        value
        for key, value in vars(email_config).items()
        if key.startswith("ENV_") and isinstance(value, str)
    }
    mirrored = {info.validation_alias for info in EmailSettings.model_fields.values()}
    assert ours == mirrored


def test_the_startup_check_loads_the_ca_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert email.extra["startup_check"] is check_environment
    broken = tmp_path / "ca.pem"
    broken.write_text("not a certificate")
    monkeypatch.setenv("SWITCHBOARD_EMAIL_CA_FILE", str(broken))
    with pytest.raises(EmailConfigError, match="SWITCHBOARD_EMAIL_CA_FILE: cannot load"):
        check_environment()
    monkeypatch.setenv("SWITCHBOARD_EMAIL_MAX_CONNECTIONS", "x")
    with pytest.raises(EmailConfigError, match="SWITCHBOARD_EMAIL_MAX_CONNECTIONS"):
        check_environment()


def _cli(tmp_path: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHBOARD_", "CONNECTOR_"))}
    env.update(extra_env, PYTHONPATH=str(root))
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_switchboard_connectors_lists_it(tmp_path: Path) -> None:
    listed = _cli(tmp_path, "connectors", "--json")
    assert listed.returncode == 0, listed.stderr
    [found] = [c for c in json.loads(listed.stdout) if c["type"] == "io.camunda:email:1"]
    assert (found["name"], found["state"]) == ("Email Connector", "enabled")
