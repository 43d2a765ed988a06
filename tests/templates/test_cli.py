"""``switchboard template TYPE [--out FILE]`` and ``switchboard templates --out DIR``, run as
real processes with connectors discovered from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from connectors.echo import echo
from connectors.sdk.templates import element_template
from tests.templates.sample_connectors import features

ROOT = Path(__file__).resolve().parents[2]


def switchboard(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


FEATURES_ENV = {"CONNECTOR_FEATURES_FUNCTION": "tests.templates.sample_connectors:features"}


def test_template_prints_json_to_stdout() -> None:
    done = switchboard("template", "switchboard:echo:1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == element_template(echo)


def test_template_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "features.json"
    done = switchboard(
        "template",
        "test:features:1",
        "--out",
        "nested/features.json",
        env=FEATURES_ENV,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == element_template(features)


def test_out_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "echo.json"
    out.write_text("keep me", encoding="utf-8")
    done = switchboard("template", "switchboard:echo:1", "--out", str(out))
    assert done.returncode == 64
    assert "exists; pass --force to overwrite" in done.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = switchboard("template", "switchboard:echo:1", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == element_template(echo)


def test_out_refuses_to_create_folders_outside_the_current_tree(tmp_path: Path) -> None:
    outside = tmp_path / "not" / "here"
    done = switchboard("templates", "--out", str(outside))  # cwd: the project, not tmp_path
    assert done.returncode == 64
    assert "is outside the current directory; create it first" in done.stderr
    assert not (tmp_path / "not").exists()


def test_unknown_type_is_an_error_naming_the_known_ones() -> None:
    done = switchboard("template", "nope:1")
    assert done.returncode == 64
    assert "'nope:1' is not a known connector type" in done.stderr
    assert "switchboard:echo:1" in done.stderr
    assert done.stdout == ""


def test_templates_writes_one_file_per_connector_and_reports_failures(tmp_path: Path) -> None:
    env = {
        **FEATURES_ENV,
        "CONNECTOR_BROKEN_FUNCTION": "tests.templates.sample_connectors:broken",
    }
    done = switchboard("templates", "--out", str(tmp_path), env=env)
    assert done.returncode == 1  # one connector's template cannot be generated
    assert "connector 'test:broken-template:1': BrokenInput.either: a union of models" in (
        done.stderr
    )
    written = {p.name for p in tmp_path.iterdir()}
    assert {"switchboard-echo-1.json", "test-features-1.json"} <= written
    assert "test-broken-template-1.json" not in written
    saved = json.loads((tmp_path / "test-features-1.json").read_text(encoding="utf-8"))
    assert saved == element_template(features)


def test_templates_requires_an_output_directory() -> None:
    done = switchboard("templates")
    assert done.returncode == 2
    assert "--out" in done.stderr
