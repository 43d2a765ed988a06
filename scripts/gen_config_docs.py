"""Regenerate the settings block of .env.example and docs/configuration.md from app.settings.

Usage: python scripts/gen_config_docs.py [--check]
Only the text between the BEGIN/END GENERATED markers is rewritten.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic_core import PydanticUndefined

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "BEGIN GENERATED SETTINGS", "END GENERATED SETTINGS"


def _fields() -> list[tuple[str, str, str, str]]:
    rows = []
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else name.upper()
        if info.default is PydanticUndefined:
            default = "(required)" if info.default_factory is None else str(info.default_factory())
        elif info.default is None:
            default = ""
        else:
            default = str(info.default)
        module = next(
            (b.__module__ for b in Settings.__mro__ if name in getattr(b, "__annotations__", {})),
            "app.settings",
        )
        rows.append((module.rsplit(".", 1)[-1], alias, default, info.description or ""))
    return sorted(rows, key=lambda r: (r[0], r[1]))


def env_block() -> str:
    lines, section = [], None
    for module, alias, default, description in _fields():
        if module != section:
            lines.append(f"\n# --- {module} ---")
            section = module
        lines.append(f"# {description}" if description else "#")
        lines.append(f"# {alias}={default}")
    return "\n".join(lines).lstrip("\n")


def docs_block() -> str:
    lines = ["| Variable | Default | Layer | Meaning |", "| --- | --- | --- | --- |"]
    for module, alias, default, description in _fields():
        shown = f"`{default}`" if default else "(unset)"
        # GitHub tables take an escaped pipe, also inside code spans.
        meaning = description.replace("|", "\\|")
        lines.append(f"| `{alias}` | {shown} | {module} | {meaning} |")
    return "\n".join(lines)


def _replace(path: Path, block: str, comment: str) -> tuple[str, str]:
    text = path.read_text() if path.exists() else ""
    start, end = f"{comment} {BEGIN}", f"{comment} {END}"
    if comment == "<!--":
        start, end = f"<!-- {BEGIN} -->", f"<!-- {END} -->"
    if start not in text:
        text = text.rstrip("\n") + f"\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return text, f"{head}{start}\n{block}\n{end}{tail}"


def main(check: bool) -> int:
    targets = [
        (ROOT / ".env.example", env_block(), "#"),
        (ROOT / "docs" / "configuration.md", docs_block(), "<!--"),
    ]
    stale = []
    for path, block, comment in targets:
        old, new = _replace(path, block, comment)
        if old != new:
            stale.append(path.name)
            if not check:
                path.write_text(new)
    if check and stale:
        print(f"stale: {', '.join(stale)}; run: python scripts/gen_config_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
