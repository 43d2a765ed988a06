"""docs/writing-a-connector.md works as written: its connector (under 40 lines) yields a valid
template, its tests pass, and the environment registration it shows finds the connector."""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from connectors.sdk.templates import element_template
from tests.templates.schema import assert_valid
from tests.templates.test_cli import switchboard

DOC = Path(__file__).resolve().parents[2] / "docs" / "writing-a-connector.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture()
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The doc's ``my_connectors`` package, importable from a temporary directory."""
    (tmp_path / "my_connectors").mkdir()
    (tmp_path / "my_connectors" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "my_connectors" / "greeter.py").write_text(python_blocks()[0], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m == "my_connectors" or m.startswith("my_connectors.")]:
        del sys.modules[name]


def _greeter() -> ModuleType:
    return importlib.import_module("my_connectors.greeter")


def test_connector_code_is_under_40_lines() -> None:
    connector_code = python_blocks()[0]
    assert "@outbound_connector(" in connector_code
    assert len(connector_code.rstrip("\n").splitlines()) < 40


def test_connector_yields_a_valid_template(package: Path) -> None:
    template = element_template(_greeter().greet)
    assert_valid(template)
    props = {p["id"]: p for p in template["properties"] if "id" in p}
    assert props["tone.style"]["choices"] == [
        {"name": "Formal", "value": "formal"},
        {"name": "Casual", "value": "casual"},
    ]
    assert props["tone.style"]["value"] == "casual"
    assert props["tone.title"]["condition"]["equals"] == "formal"
    assert props["name"]["constraints"] == {"notEmpty": True, "minLength": 1, "maxLength": 80}
    assert [g["id"] for g in template["groups"]] == ["who", "how", "output", "error", "retries"]


def test_the_doc_tests_pass(package: Path) -> None:
    namespace: dict[str, object] = {"__name__": "doc_tests"}
    exec(compile(python_blocks()[1], str(DOC), "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert len(tests) == 3
    for test in tests:
        test()


def test_environment_registration_finds_it(package: Path) -> None:
    env = {
        "CONNECTOR_GREETER_FUNCTION": "my_connectors.greeter:greet",
        "PYTHONPATH": str(package),
    }
    done = switchboard("template", "acme:greeter:1", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == element_template(_greeter().greet)
