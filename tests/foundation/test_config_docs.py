from __future__ import annotations

import importlib.util
from pathlib import Path

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_config_docs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_every_setting_is_documented_with_a_description() -> None:
    env_example = (ROOT / ".env.example").read_text()
    reference = (ROOT / "docs" / "configuration.md").read_text()
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        assert isinstance(alias, str), f"{name} has no environment variable alias"
        assert info.description, f"{alias} has no description"
        assert f"# {alias}=" in env_example, f"{alias} missing from .env.example"
        assert f"`{alias}`" in reference, f"{alias} missing from docs/configuration.md"


def test_generated_blocks_are_current() -> None:
    assert _generator().main(check=True) == 0, "run: python scripts/gen_config_docs.py"
