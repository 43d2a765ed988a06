"""CLI start-up: .env configures what the environment does; bad connector variables are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cli(tmp_path: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CONNECTOR_", "SWITCHBOARD_", "SECRET_"))
    }
    env.update(extra_env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dotenv_reaches_discovery_secrets_and_the_http_connector(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "CONNECTOR_OUTBOUND_DISABLED=io.camunda:connector-graphql:1\n"
        "SWITCHBOARD_HTTP_DENIED_NETWORKS=127.0.0.0/8\n"
        "SECRET_FROM_DOTENV=dotenv-value-1\n"
    )
    listed = _cli(tmp_path, "connectors", "--json")
    assert listed.returncode == 0, listed.stderr
    states = {c["name"]: c["state"] for c in json.loads(listed.stdout)}
    assert states["GraphQL"] == "disabled"
    assert states["Echo"] == "enabled"

    # Port 9 on loopback: the denied network must stop the request before any connection.
    invoked = _cli(
        tmp_path,
        "invoke",
        "io.camunda:http-json:1",
        "--variables",
        json.dumps({"method": "GET", "url": "http://127.0.0.1:9/{{secrets.FROM_DOTENV}}"}),
    )
    outcome = json.loads(invoked.stdout)
    assert outcome["errorCode"] == "HOST_NOT_ALLOWED", invoked.stdout
    assert "dotenv-value-1" not in invoked.stdout + invoked.stderr


def test_the_process_environment_wins_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CONNECTOR_OUTBOUND_DISABLED=io.camunda:connector-graphql:1\n")
    listed = _cli(
        tmp_path, "connectors", "--json", CONNECTOR_OUTBOUND_DISABLED="switchboard:echo:1"
    )
    assert listed.returncode == 0, listed.stderr
    states = {c["name"]: c["state"] for c in json.loads(listed.stdout)}
    assert (states["Echo"], states["GraphQL"]) == ("disabled", "enabled")


def test_serve_stops_with_one_line_on_a_bad_connector_variable(tmp_path: Path) -> None:
    served = _cli(tmp_path, "serve", "--port", "1", CONNECTOR_X_FUNCTION="nomodule")
    assert served.returncode == 78  # configuration error (docs/cli.md)
    assert served.stderr.strip().splitlines() == [
        "switchboard serve: CONNECTOR_X_FUNCTION: expected 'module:attribute', got 'nomodule'"
    ]


def test_serve_stops_with_one_line_on_a_bad_http_connector_variable(tmp_path: Path) -> None:
    served = _cli(tmp_path, "serve", "--port", "1", SWITCHBOARD_HTTP_DENIED_NETWORKS="10.0.0.0/8,x")
    assert served.returncode == 78  # configuration error (docs/cli.md)
    assert served.stderr.strip().splitlines() == [
        "switchboard: configuration error: SWITCHBOARD_HTTP_DENIED_NETWORKS: 'x' is not an IP "
        "network (CIDR) or address"
    ]


def test_serve_stops_with_one_line_on_an_unreadable_http_ca_file(tmp_path: Path) -> None:
    served = _cli(tmp_path, "serve", "--port", "1", SWITCHBOARD_HTTP_CA_FILE=str(tmp_path / "no"))
    assert served.returncode == 78  # configuration error (docs/cli.md)
    assert served.stderr.strip().splitlines() == [
        "switchboard: configuration error: SWITCHBOARD_HTTP_CA_FILE: cannot load certificates "
        "(FileNotFoundError)"
    ]
