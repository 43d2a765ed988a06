"""The layers of DESIGN.md / docs/architecture.md: inner layers never import outer ones.

Read from the source (every ``import`` and ``from ... import`` at any depth, type-checking
blocks included), so a violation fails here before it tangles the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Inner to outer. A module may import its own layer and the ones before it.
LAYERS: list[tuple[str, ...]] = [
    ("connectors.sdk",),
    ("connectors",),
    ("app.settings",),
    ("app.feel",),
    ("app.secrets",),
    ("app.runtime",),
    ("app.inbound",),
    ("app.engines",),
    ("app.db",),
    ("app.health", "app.metrics", "app.ratelimit", "app.logs"),
    ("app.services",),
    ("app.api",),
    ("app.ui",),
    ("app.main",),
    ("app.cli",),
]
# Layers that must not import the application at all.
SELF_CONTAINED = {"connectors.sdk": ("app",), "connectors": ("app",), "app.feel": ("app",)}


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    return best[0] if best else None


def _prefix_of(module: str) -> str:
    layer = layer_of(module)
    assert layer is not None
    return max((p for p in LAYERS[layer] if module == p or module.startswith(p + ".")), key=len)


def imports(path: Path, module: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append(name)
            found.extend(f"{name}.{alias.name}" for alias in node.names)
    return found


def modules() -> list[tuple[str, Path]]:
    found = []
    for top in ("app", "connectors"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join(parts), path))
    return found


def violations() -> list[str]:
    problems = []
    for module, path in modules():
        if module in ("app", "connectors"):
            continue  # the packages' own __init__ files
        own = layer_of(module)
        if own is None:
            problems.append(f"{module}: in no layer (add it to LAYERS)")
            continue
        prefix = _prefix_of(module)
        for target in imports(path, module):
            if not target.startswith(("app", "connectors")):
                continue
            forbidden = SELF_CONTAINED.get(prefix, ())
            inside = target == prefix or target.startswith(prefix + ".")
            if not inside and any(target == f or target.startswith(f + ".") for f in forbidden):
                problems.append(f"{module} imports {target}: {prefix} must not import {forbidden}")
                continue
            other = layer_of(target)
            if other is not None and other > own:
                problems.append(f"{module} imports {target} (an outer layer)")
    return problems


def test_inner_layers_never_import_outer_ones() -> None:
    assert violations() == []


def test_the_check_notices_an_outer_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "probe.py"
    source.write_text("from app.ui import install\nfrom . import sibling\n", encoding="utf-8")
    assert imports(source, "app.api.probe") == [
        "app.ui",
        "app.ui.install",
        "app.api",
        "app.api.sibling",
    ]
    assert layer_of("app.ui.routes") is not None
    assert layer_of("app.api.probe") < layer_of("app.ui.routes")  # type: ignore[operator]


# The engine clients: each is imported by one engine package only.
ENGINE_CLIENTS = ("pyzeebe", "grpc", "camunda_orchestration_sdk", "httpx")


def test_the_shared_engine_modules_import_no_engine() -> None:
    engines = ROOT / "app" / "engines"
    packages = sorted(p.name for p in engines.iterdir() if (p / "__init__.py").is_file())
    assert {"zeebe", "camunda_rest", "camunda7"} <= set(packages)
    forbidden = (*ENGINE_CLIENTS, *(f"app.engines.{name}" for name in packages))
    shared = sorted(p for p in engines.glob("*.py") if p.name != "__init__.py")
    assert shared
    problems = [
        f"app.engines.{path.stem} imports {target}"
        for path in shared
        for target in imports(path, f"app.engines.{path.stem}")
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    ]
    assert problems == []
