"""The invoke page's form, built from the same metadata as the connector's element template.

Every ``zeebe:input`` property becomes a form field bound to a (dotted) variable path, every
``zeebe:taskHeader`` property a task-header field; labels, groups, dropdowns (discriminated
unions included), visibility conditions, defaults and secret markers come from the
template. The browser turns the fields into the variables and headers JSON (app.js);
without a template only the JSON view is offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from connectors.sdk.connector import OutboundConnector
from connectors.sdk.templates import TemplateError, element_template
from connectors.sdk.templates import types as t
from connectors.sdk.templates.walk import walk

# Task headers a test invocation has no use for (the job has no Zeebe timeout here).
_SKIPPED_HEADERS = frozenset({"jobTimeout"})


@dataclass(frozen=True)
class FormField:
    """One field of the invoke form."""

    id: str
    label: str
    target: str  # "variables" or "headers"
    path: str  # dotted variable path, or the header key
    kind: str  # text, textarea, json, number, checkbox, select, hidden
    value: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    condition: dict[str, Any] | None = None
    secret: bool = False
    required: bool = False
    help: str | None = None
    placeholder: str | None = None

    @property
    def condition_json(self) -> str:
        return json.dumps(self.condition) if self.condition else ""

    @property
    def value_json(self) -> str:
        return json.dumps(self.value)


@dataclass(frozen=True)
class FormGroup:
    """The fields of one template group, in template order."""

    id: str
    label: str
    fields: list[FormField] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return any(f.kind != "hidden" for f in self.fields)

    @property
    def essential(self) -> bool:
        """Shown open: it has a required field or fields shown for a choice made elsewhere."""
        shown = [f for f in self.fields if f.kind != "hidden"]
        return any(f.required or f.condition for f in shown)


@dataclass(frozen=True)
class InvokeForm:
    """The form of a connector, its examples and its template version."""

    groups: list[FormGroup]
    examples: list[dict[str, Any]]
    template_version: int | None
    problem: str | None = None
    opened: frozenset[str] = frozenset()  # groups shown open; the others are collapsed

    @property
    def has_fields(self) -> bool:
        return any(g.visible for g in self.groups)

    @property
    def examples_json(self) -> str:
        return json.dumps(self.examples)


def build_form(connector: OutboundConnector | None) -> InvokeForm:
    """The form of ``connector`` (no fields when it has no input model or template)."""
    if connector is None:
        return InvokeForm([], [], None)
    examples = [
        {
            "name": e.name,
            "description": e.description,
            "variables": dict(e.variables),
            "headers": dict(e.headers),
        }
        for e in connector.examples
    ]
    if connector.input_model is None:
        return InvokeForm([], examples, connector.version)
    try:
        template = element_template(connector)
        shapes = {i.binding: i.shape.kind for i in walk(connector.input_model)}
    except TemplateError as exc:
        return InvokeForm([], examples, connector.version, problem=str(exc))
    groups = {g["id"]: FormGroup(g["id"], g["label"]) for g in template.get("groups", [])}
    loose = FormGroup("other", "Other inputs")
    for prop in template.get("properties", []):
        made = _field(prop, shapes)
        if made is not None:
            groups.get(str(prop.get("group")), loose).fields.append(made)
    ordered = [g for g in groups.values() if g.fields]
    if loose.fields:
        ordered.insert(0, loose)
    first = next((g for g in ordered if g.visible), None)
    opened = {g.id for g in ordered if g.essential or g is first}
    return InvokeForm(ordered, examples, connector.version, opened=frozenset(opened))


def _field(prop: dict[str, Any], shapes: dict[str, str]) -> FormField | None:
    binding = prop.get("binding", {})
    kind_of_binding = binding.get("type")
    if kind_of_binding == "zeebe:input":
        target, path = "variables", str(binding.get("name", ""))
    elif kind_of_binding == "zeebe:taskHeader":
        target, path = "headers", str(binding.get("key", ""))
        if path in _SKIPPED_HEADERS:
            return None
    else:
        return None  # the task type and the retries (the form has its own retries field)
    ptype = prop.get("type")
    if ptype == "Configuration" or not path:
        return None  # reusable credentials are picked in the modeler, not here
    pid = str(prop.get("id") or path)
    value = prop.get("value")
    constraints = prop.get("constraints") or {}
    common: dict[str, Any] = {
        "id": pid,
        "label": str(prop.get("label") or path),
        "target": target,
        "path": path,
        "condition": prop.get("condition"),
        "secret": bool(prop.get("secret")),
        "required": bool(constraints.get("notEmpty")),
        "help": prop.get("tooltip") or _plain(prop.get("description")),
        "placeholder": prop.get("placeholder"),
    }
    if ptype == "Hidden":
        return FormField(kind="hidden", value=value, **common)
    if ptype == "Dropdown":
        choices = tuple(
            (str(c["value"]), str(c.get("name") or c["value"])) for c in prop["choices"]
        )
        return FormField(kind="select", value=value, choices=choices, **common)
    if ptype == "Boolean":
        return FormField(kind="checkbox", value=bool(value), **common)
    if ptype == "Number":
        return FormField(kind="number", value=value, **common)
    if target == "variables" and shapes.get(path) == t.JSON:
        return FormField(kind="json", value=value, **common)
    kind = "textarea" if ptype == "Text" else "text"
    return FormField(kind=kind, value=value, **common)


def _plain(text: Any) -> str | None:
    # Template descriptions may hold a documentation link; the form shows text only.
    if not isinstance(text, str):
        return None
    return text.split(" Details in the <a", 1)[0]
