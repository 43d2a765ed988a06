"""Assemble a connector's element template: header, groups, inputs, standard properties."""

from __future__ import annotations

import base64
import mimetypes
import re
import sys
from pathlib import Path
from typing import Any

from connectors.sdk.connector import OutboundConnector
from connectors.sdk.fields import Group
from connectors.sdk.templates import properties, standard
from connectors.sdk.templates.errors import TemplateError
from connectors.sdk.templates.walk import DEFAULT_GROUP, Cond, Input, walk

SCHEMA_URL = "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json"
# zeebe:taskDefinition "retries" bindings need Camunda 8.5 or newer; Configuration
# properties (reusable credentials) need 8.10.
ENGINES = {"camunda": "^8.5"}
ENGINES_WITH_CONFIGURATIONS = {"camunda": "^8.10"}
CATEGORY = {"id": "connectors", "name": "Connectors"}
SERVICE_TASK = "bpmn:ServiceTask"
_STANDARD_IDS = {
    "resultVariable",
    "resultExpression",
    "errorExpression",
    "retryCount",
    "retryBackoff",
    "jobTimeout",
    "elementTemplateId",
    "elementTemplateVersion",
}


def element_template(connector: OutboundConnector) -> dict[str, Any]:
    """The element template (a JSON-ready dict) for ``connector``, per the Camunda schema.

    Raises :class:`TemplateError` naming the connector and the field that cannot be shown.
    """
    try:
        return _build(connector)
    except TemplateError as exc:
        raise TemplateError(f"connector {connector.type!r}: {exc}") from None


def template_id_of(connector: OutboundConnector) -> str:
    """The template id: the declared one, else derived from the connector's job type."""
    return connector.template_id or connector.type


def _build(connector: OutboundConnector) -> dict[str, Any]:
    template_id = template_id_of(connector)
    inputs: list[Input] = walk(connector.input_model) if connector.input_model else []
    input_properties = _properties(inputs, reserved=_STANDARD_IDS)
    configurations = _configuration_templates(inputs)

    template: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "name": connector.name,
        "id": template_id,
        "version": connector.version,
    }
    if connector.description:
        template["description"] = connector.description
    if connector.documentation_url:
        if not re.match(r"^https?://", connector.documentation_url):
            raise TemplateError("documentation_url must be an http(s) URL")
        template["documentationRef"] = connector.documentation_url
    if connector.icon:
        template["icon"] = {"contents": _icon_contents(connector)}
    template["category"] = dict(CATEGORY)
    template["appliesTo"] = ["bpmn:Task"]
    # A connector may ask for another task kind (the Send Message connector: bpmn:SendTask).
    template["elementType"] = {"value": connector.extra.get("template_element_type", SERVICE_TASK)}
    template["engines"] = dict(ENGINES_WITH_CONFIGURATIONS if configurations else ENGINES)
    template["groups"] = _groups(connector.groups, input_properties)
    if configurations:
        template["configurationTemplates"] = configurations
    template["properties"] = [
        standard.task_type(connector.type),
        *input_properties,
        *standard.template_headers(
            connector.extra.get("template_header_id", template_id), connector.version
        ),
        *standard.output_properties(),
        *standard.error_properties(),
        *standard.retry_properties(connector.extra.get("template_retry_backoff", "PT0S")),
    ]
    return template


def _properties(inputs: list[Input], reserved: set[str]) -> list[dict[str, Any]]:
    _assign_ids(inputs, reserved)
    return [_with_condition(item, properties.build(item), inputs) for item in inputs]


def _configuration_templates(inputs: list[Input]) -> list[dict[str, Any]]:
    """Embedded templates for fields marked ``Property(configuration=...)``."""
    result: dict[str, dict[str, Any]] = {}
    for item in inputs:
        configuration = item.prop.configuration
        if configuration is None:
            continue
        entry: dict[str, Any] = {
            "id": configuration.id,
            "kind": configuration.kind,
            "version": configuration.version,
            "name": configuration.name,
        }
        if configuration.description:
            entry["description"] = configuration.description
        entry["properties"] = [
            _as_configuration_property(p)
            for p in _properties(walk(item.shape.annotation), reserved=set())
        ]
        if configuration.id in result and result[configuration.id] != entry:
            raise TemplateError(
                f"{item.origin}: configuration {configuration.id!r} is defined twice, differently"
            )
        result[configuration.id] = entry
    return list(result.values())


def _as_configuration_property(prop: dict[str, Any]) -> dict[str, Any]:
    # A configuration holds literal values (or secret references) under plain keys: no FEEL,
    # no "optional", and a "property" binding instead of an input mapping.
    if prop["type"] == "Configuration":
        raise TemplateError(f"{prop['id']}: configurations cannot nest")
    result = {k: v for k, v in prop.items() if k not in ("feel", "optional")}
    result["binding"] = {"type": "property", "name": prop["binding"]["name"]}
    constraints = {k: v for k, v in result.get("constraints", {}).items() if v is not False}
    if constraints:
        result["constraints"] = constraints
    else:
        result.pop("constraints", None)
    return result


def _assign_ids(inputs: list[Input], reserved: set[str]) -> None:
    taken: set[str] = set(reserved)
    for item in inputs:
        candidate = item.binding
        if candidate in taken and item.variant:
            # The same binding in another union variant: name the variant in the id.
            union_path, tag = item.variant[-1]
            rest = candidate[len(union_path) + 1 :] if candidate.startswith(union_path) else ""
            candidate = f"{union_path}.{tag}.{rest}" if rest else f"{candidate}.{tag}"
        if candidate in taken:
            raise TemplateError(f"{item.origin}: property id {candidate!r} is used twice")
        taken.add(candidate)
        item.id = candidate


def _with_condition(item: Input, prop: dict[str, Any], inputs: list[Input]) -> dict[str, Any]:
    conditions = [_condition(c, item, inputs) for c in item.conditions]
    condition: dict[str, Any] | None = None
    if len(conditions) == 1:
        condition = conditions[0]
    elif conditions:
        condition = {"allMatch": conditions}
    result: dict[str, Any] = {"id": item.id}
    for key, value in prop.items():
        result[key] = value
        if key == "binding" and condition is not None:
            result["condition"] = condition
    return result


def _condition(cond: Cond, owner: Input, inputs: list[Input]) -> dict[str, Any]:
    target = cond.target or _resolve(cond, owner, inputs)
    if target is owner:
        raise TemplateError(f"{cond.origin}: a property cannot depend on itself")
    value = cond.value
    if cond.kind in ("equals", "oneOf") and target.choices is not None:
        value = [str(v) for v in value] if cond.kind == "oneOf" else str(value)
    return {"property": target.id, cond.kind: value, "type": "simple"}


def _resolve(cond: Cond, owner: Input, inputs: list[Input]) -> Input:
    assert cond.reference is not None
    for name in (f"{cond.prefix}{cond.reference}", cond.reference):
        candidates = [i for i in inputs if i.binding == name and i is not owner]
        if not candidates:
            continue
        # Prefer a target in the owner's own union variant (same binding, other variants).
        for candidate in candidates:
            if owner.variant[: len(candidate.variant)] == candidate.variant:
                return candidate
        return candidates[0]
    raise TemplateError(
        f"{cond.origin}: condition refers to {cond.reference!r}, which is not an input"
    )


def _groups(declared: tuple[Group, ...], inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    used = [p["group"] for p in inputs if "group" in p]
    known = {g.id for g in declared}
    for group in declared:
        if group.id not in used:
            raise TemplateError(f"group {group.id!r} is declared but no input uses it")
        if group.id in {g.id for g in standard.STANDARD_GROUPS}:
            raise TemplateError(f"group id {group.id!r} is reserved for the standard properties")
    groups = list(declared)
    for group_id in dict.fromkeys(used):
        if group_id not in known:
            label = "Input" if group_id == DEFAULT_GROUP else properties.humanize(group_id)
            groups.append(Group(group_id, label))
            known.add(group_id)
    return [_group_json(g) for g in (*groups, *standard.STANDARD_GROUPS)]


def _group_json(group: Group) -> dict[str, Any]:
    result: dict[str, Any] = {"id": group.id, "label": group.label}
    if group.tooltip:
        result["tooltip"] = group.tooltip
    if group.open_by_default is not None:
        result["openByDefault"] = group.open_by_default
    return result


def _icon_contents(connector: OutboundConnector) -> str:
    icon = connector.icon or ""
    if re.match(r"^(https?|data):", icon):
        return icon
    path = Path(icon)
    if not path.is_absolute():
        module = sys.modules.get(connector.function.__module__)
        module_file = getattr(module, "__file__", None)
        if module_file is None:
            raise TemplateError(f"icon {icon!r}: cannot locate it relative to the connector")
        path = Path(module_file).parent / path
    if not path.is_file():
        raise TemplateError(f"icon {icon!r}: no such file ({path})")
    mime = mimetypes.guess_type(path.name)[0]
    if mime is None or not mime.startswith("image/"):
        raise TemplateError(f"icon {icon!r}: not an image file")
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{mime};base64,{encoded}"
