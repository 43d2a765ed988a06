"""docs/operations.md stays true to the code: every variable it names exists, and the
compose services and commands it documents are the real ones."""

from __future__ import annotations

import re

from app.settings import Settings
from tests.deploy.test_compose import COMPOSE_FILE, _interpolated_names
from tests.deploy.tools import ROOT

DOC = (ROOT / "docs" / "operations.md").read_text()
VARIABLE = re.compile(r"\b((?:SWITCHBOARD|ZEEBE|VAULT|CAMUNDA)_[A-Z0-9_]*[A-Z0-9])\b")


def _script_variables() -> set[str]:
    names: set[str] = set()
    for script in (ROOT / "docker").glob("*.sh"):
        names |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", script.read_text()))
    return names


def _http_connector_variables() -> set[str]:
    # The HTTP connectors read their operator options themselves (connectors/_http/config.py).
    source = (ROOT / "connectors" / "_http" / "config.py").read_text()
    return set(re.findall(r'^ENV_[A-Z_]+ = "([A-Z0-9_]+)"', source, flags=re.MULTILINE))


def test_every_variable_in_the_guide_exists() -> None:
    settings = {
        info.validation_alias
        for info in Settings.model_fields.values()
        if isinstance(info.validation_alias, str)
    }
    known = (
        settings
        | _interpolated_names(COMPOSE_FILE.read_text())
        | _script_variables()
        | {"SWITCHBOARD_MIGRATIONS_DIR"}  # read by `switchboard migrate` (app/db/migrate.py)
        | _http_connector_variables()
    )
    named = set(VARIABLE.findall(DOC))
    assert len(named) > 20
    unknown = sorted(named - known)
    assert not unknown, f"docs/operations.md names variables that nothing reads: {unknown}"


def test_the_guide_documents_the_stack_as_built() -> None:
    compose = COMPOSE_FILE.read_text()
    section = compose.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    services = re.findall(r"^  ([a-z][a-z-]*):\n", section, flags=re.MULTILINE)
    assert services
    for service in services:
        assert f"`{service}`" in DOC, f"service {service} is not described"
    assert "docker compose up -d --scale switchboard=3" in DOC
    assert "docker compose --profile example run --rm example" in DOC
    for path in ("examples/status-check.bpmn", "examples/deploy_and_start.py"):
        assert path in DOC and (ROOT / path).is_file()
