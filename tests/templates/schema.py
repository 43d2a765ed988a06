"""Validate element templates: the official JSON schema (from npm) plus the rules the schema
states in prose or in ajv-only keywords, which a plain JSON-schema validator cannot check."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import ValidationError

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
NODE_MODULES = NODE_DIR / "node_modules"
SCHEMA_PACKAGE = NODE_MODULES / "@camunda" / "zeebe-element-templates-json-schema"
OFFICIAL_PACKAGE = NODE_MODULES / "@camunda" / "connectors-element-templates"

# Official templates still mark optional inputs "optional" (empty field -> no input mapping,
# so the connector's default applies); the schema flags that as deprecated for 8.8+.
ALLOWED_DEPRECATIONS = ("'optional' with 'zeebe:input' binding is deprecated",)


def require_node_package(path: Path) -> Path:
    """Fail (never skip) when the npm packages the tests need are not installed."""
    if not path.is_dir():
        pytest.fail(
            f"{path.relative_to(NODE_DIR.parent.parent)} is missing: run `make test` (it runs "
            "`npm install --prefix tests/node --no-audit --no-fund` first)",
            pytrace=False,
        )
    return path


def _deprecated(
    validator: Any, value: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    # The schema marks outdated constructs with "deprecated": true in the branch that matches
    # them; report those as errors so a generated template never relies on them.
    if value is True:
        yield ValidationError(schema.get("deprecationWarning", "deprecated construct"))


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema_file = require_node_package(SCHEMA_PACKAGE) / "resources" / "schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    strict = jsonschema.validators.extend(jsonschema.Draft7Validator, {"deprecated": _deprecated})
    # Validate one template (the schema's root also accepts a list of them). Nested "$schema"
    # keys (all draft-07) would make the validator switch back to the stock draft-07 class.
    single = {
        "$ref": "#/definitions/template",
        "definitions": _without_schema(schema["definitions"]),
    }
    return strict(single)


def _without_schema(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_schema(v) for k, v in node.items() if k != "$schema"}
    if isinstance(node, list):
        return [_without_schema(v) for v in node]
    return node


def schema_errors(template: dict[str, Any]) -> list[str]:
    """Messages of every schema violation (deprecated constructs included)."""
    errors = []
    for error in _validator().iter_errors(template):
        if error.validator == "deprecated" and error.message.startswith(ALLOWED_DEPRECATIONS):
            continue
        where = "/".join(str(p) for p in error.absolute_path)
        errors.append(f"{where}: {error.message}")
    return errors


def semantic_errors(template: dict[str, Any], inbound: bool = False) -> list[str]:
    """Rules the schema describes but cannot express for a plain validator. ``inbound``:
    an inbound connector template (a hidden ``inbound.type`` property, no task type)."""
    errors: list[str] = []
    props = template["properties"]
    group_ids = [g["id"] for g in template.get("groups", [])]
    if len(group_ids) != len(set(group_ids)):
        errors.append("duplicate group id")
    used_groups = {p["group"] for p in props if "group" in p}
    errors += [f"group {g!r} has no property" for g in group_ids if g not in used_groups]
    task_types = [
        p for p in props if p["binding"] == {"type": "zeebe:taskDefinition", "property": "type"}
    ]
    if inbound:
        types = [
            p for p in props if p["binding"] == {"type": "zeebe:property", "name": "inbound.type"}
        ]
        if len(types) != 1 or types[0].get("type") != "Hidden" or task_types:
            errors.append("exactly one hidden inbound.type property (and no task type) is required")
    elif len(task_types) != 1 or task_types[0].get("type") != "Hidden":
        errors.append("exactly one hidden zeebe:taskDefinition type is required")
    for p in props:
        if "group" in p and p["group"] not in group_ids:
            errors.append(f"{p.get('id', p['binding'])}: unknown group {p['group']!r}")
    errors += _property_list_errors(props, "zeebe:property" if inbound else "zeebe:input")
    configurations = {c["id"]: c for c in template.get("configurationTemplates", [])}
    for p in props:
        reference = p.get("configurationTemplate")
        if p.get("type") == "Configuration" and reference not in configurations:
            errors.append(f"{p.get('id')}: unknown configuration {reference!r}")
    for configuration in configurations.values():
        errors += [
            f"configuration {configuration['id']}: {e}"
            for e in _property_list_errors(configuration["properties"], "property")
        ]
    return errors


def _property_list_errors(props: list[dict[str, Any]], input_binding: str) -> list[str]:
    errors: list[str] = []
    ids = [p["id"] for p in props if "id" in p]
    errors += [f"duplicate property id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    by_id = {p["id"]: p for p in props if "id" in p}
    inputs: dict[str, list[dict[str, Any]]] = {}
    for p in props:
        name = p.get("id", p["binding"])
        if p.get("type") == "Dropdown" and "value" in p:
            if p["value"] not in [c["value"] for c in p["choices"]]:
                errors.append(f"{name}: value {p['value']!r} is not a choice")
        if p.get("type") == "Hidden" and "value" not in p:
            errors.append(f"{name}: hidden property without a value")
        for cond in _conditions(p):
            target = by_id.get(cond["property"])
            if target is None:
                errors.append(f"{name}: condition on unknown property {cond['property']!r}")
            elif target is p:
                errors.append(f"{name}: condition on itself")
            elif target.get("type") == "Dropdown" and ("equals" in cond or "oneOf" in cond):
                choices = {c["value"] for c in target["choices"]}
                wanted = cond.get("oneOf", [cond.get("equals")])
                if not set(wanted) <= choices:
                    errors.append(
                        f"{name}: condition values {wanted} not all choices of {target['id']}"
                    )
        if p["binding"]["type"] == input_binding:
            inputs.setdefault(p["binding"]["name"], []).append(p)
    for binding, same in inputs.items():
        # One input may appear several times only as alternatives shown under conditions.
        if len(same) > 1 and not all("condition" in p for p in same):
            errors.append(f"input {binding!r} appears {len(same)} times without conditions")
    return errors


def _conditions(prop: dict[str, Any]) -> list[dict[str, Any]]:
    condition = prop.get("condition")
    if condition is None:
        return []
    return list(condition.get("allMatch", [condition]))


def assert_valid(template: dict[str, Any], inbound: bool = False) -> None:
    problems = schema_errors(template) + semantic_errors(template, inbound)
    assert not problems, f"template {template.get('id')!r} is invalid:\n" + "\n".join(problems)


def js_regex_results(cases: list[tuple[str, list[str]]]) -> list[list[bool]]:
    """Compile each pattern with JavaScript's RegExp (as the modeler does) and test samples."""
    script = (
        "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{"
        "const out=JSON.parse(d).map(([p,s])=>{const r=new RegExp(p);return s.map(x=>r.test(x))});"
        "process.stdout.write(JSON.stringify(out))})"
    )
    done = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
