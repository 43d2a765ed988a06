"""Read Camunda's official connector templates (npm ``@camunda/connectors-element-templates``,
installed at test time, never committed) and reduce a template to its bindings."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from tests.templates.schema import OFFICIAL_PACKAGE, require_node_package


@dataclass(frozen=True)
class Bindings:
    """What a BPMN process depends on: a process modelled with one template runs on a runtime
    implementing the other when these agree."""

    task_type: str | None
    inputs: frozenset[str]
    headers: frozenset[str]
    task_definition: frozenset[str]
    dropdowns: dict[str, frozenset[str]]  # input binding -> the values a dropdown may store
    # configuration template id -> (property bindings, dropdown values by binding)
    configurations: dict[str, tuple[frozenset[str], dict[str, frozenset[str]]]]


def official_template(template_id: str) -> dict[str, Any]:
    """The newest version of the official template with this id (a copy)."""
    found = [t for t in _official_templates() if t.get("id") == template_id]
    assert found, f"no official template {template_id!r} in {OFFICIAL_PACKAGE}"
    return copy.deepcopy(max(found, key=lambda t: t.get("version", 0)))


@cache
def _official_templates() -> tuple[dict[str, Any], ...]:
    folder = require_node_package(OFFICIAL_PACKAGE) / "src" / "element-templates"
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.extend(data if isinstance(data, list) else [data])
    return tuple(found)


def bindings(template: dict[str, Any]) -> Bindings:
    task_type = None
    inputs: set[str] = set()
    headers: set[str] = set()
    task_definition: set[str] = set()
    dropdowns: dict[str, set[str]] = {}
    for prop in template["properties"]:
        binding = prop["binding"]
        kind = binding["type"]
        if kind == "zeebe:taskDefinition":
            task_definition.add(binding["property"])
            if binding["property"] == "type":
                task_type = prop.get("value")
        elif kind == "zeebe:input":
            inputs.add(binding["name"])
            if prop.get("type") == "Dropdown":
                values = {c["value"] for c in prop["choices"]}
                dropdowns.setdefault(binding["name"], set()).update(values)
        elif kind == "zeebe:taskHeader":
            headers.add(binding["key"])
    configurations = {}
    for configuration in template.get("configurationTemplates", []):
        names: set[str] = set()
        choices: dict[str, set[str]] = {}
        for prop in configuration["properties"]:
            names.add(prop["binding"]["name"])
            if prop.get("type") == "Dropdown":
                choices.setdefault(prop["binding"]["name"], set()).update(
                    c["value"] for c in prop["choices"]
                )
        configurations[configuration["id"]] = (
            frozenset(names),
            {k: frozenset(v) for k, v in choices.items()},
        )
    return Bindings(
        task_type,
        frozenset(inputs),
        frozenset(headers),
        frozenset(task_definition),
        {k: frozenset(v) for k, v in dropdowns.items()},
        configurations,
    )
