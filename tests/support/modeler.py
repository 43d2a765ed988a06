"""Apply an element template to a BPMN service task the way the Camunda Modeler does.

Tests use this to shape a job exactly as a process modelled with one of Camunda's official
templates would (npm ``@camunda/connectors-element-templates``, read at test time, never
committed): the template's hidden bindings and defaults are written, conditions decide which
properties are active, empty optional inputs are left out, and ``feel: required`` strings get
the ``=`` prefix the modeler adds. The result is BPMN XML the test gateway deploys; its input
mappings then produce the job's variables as Zeebe would.

Facts from the element template reference (camunda-docs, "Template properties" and
"Bindings") and bpmn-js-element-templates' cloud templates: values of ``Boolean`` and
``Number`` properties bound to ``zeebe:input`` are written as FEEL literals (``=true``,
``=42``); a property whose condition does not hold is not written at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr


@dataclass
class AppliedTemplate:
    """What the modeler writes into one service task."""

    template_id: str
    template_version: int | None
    job_type: str
    retries: str = "3"
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (source, target)
    headers: dict[str, str] = field(default_factory=dict)

    def bpmn(self, process_id: str, element_id: str = "task") -> bytes:
        """A deployable process: start event -> this service task -> end event."""
        inputs = "".join(
            f"<zeebe:input source={quoteattr(s)} target={quoteattr(t)}/>" for s, t in self.inputs
        )
        headers = "".join(
            f"<zeebe:header key={quoteattr(k)} value={quoteattr(v)}/>"
            for k, v in self.headers.items()
        )
        version = (
            f" zeebe:modelerTemplateVersion={quoteattr(str(self.template_version))}"
            if self.template_version is not None
            else ""
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
            ' xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
            ' id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">'
            f'<bpmn:process id={quoteattr(process_id)} isExecutable="true">'
            '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            f"<bpmn:serviceTask id={quoteattr(element_id)}"
            f" zeebe:modelerTemplate={quoteattr(self.template_id)}{version}>"
            "<bpmn:extensionElements>"
            f"<zeebe:taskDefinition type={quoteattr(self.job_type)}"
            f" retries={quoteattr(self.retries)}/>"
            f"<zeebe:ioMapping>{inputs}</zeebe:ioMapping>"
            f"<zeebe:taskHeaders>{headers}</zeebe:taskHeaders>"
            "</bpmn:extensionElements>"
            "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
            "</bpmn:serviceTask>"
            '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            f'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef={quoteattr(element_id)}/>'
            f'<bpmn:sequenceFlow id="f2" sourceRef={quoteattr(element_id)} targetRef="end"/>'
            "</bpmn:process></bpmn:definitions>"
        )
        return xml.encode("utf-8")


def apply_template(template: Mapping[str, Any], values: Mapping[str, Any]) -> AppliedTemplate:
    """Apply ``template`` with the user's ``values`` (keyed by property id or binding name).

    Properties the user leaves alone take the template's ``value``; hidden ones always do.
    """
    chosen: dict[str, Any] = {}
    properties = list(template["properties"])
    for prop in properties:
        chosen[_key(prop)] = _value(prop, values)
    applied = AppliedTemplate(
        template_id=str(template.get("id", "")),
        template_version=template.get("version"),
        job_type="",
    )
    for prop in properties:
        if not _active(prop, chosen, properties):
            continue
        value = chosen[_key(prop)]
        binding = prop["binding"]
        kind = binding["type"]
        if kind == "zeebe:taskDefinition" or kind == "zeebe:taskDefinition:type":
            target = binding.get("property", "type")
            if value not in (None, ""):
                if target == "type":
                    applied.job_type = str(value)
                elif target == "retries":
                    applied.retries = str(value)
        elif kind == "zeebe:input":
            source = _input_source(prop, value)
            if source is not None:
                applied.inputs.append((source, binding["name"]))
        elif kind == "zeebe:taskHeader":
            if value not in (None, ""):
                applied.headers[binding["key"]] = str(value)
    return applied


def _key(prop: Mapping[str, Any]) -> str:
    binding = prop["binding"]
    return str(prop.get("id") or binding.get("name") or binding.get("key") or binding)


def _value(prop: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    if prop.get("type") == "Hidden":
        return prop.get("value")
    binding = prop["binding"]
    for name in (prop.get("id"), binding.get("name"), binding.get("key")):
        if name is not None and name in values:
            return values[name]
    return prop.get("value")


def _input_source(prop: Mapping[str, Any], value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "=true" if value else "=false"
    if isinstance(value, int | float):
        return f"={value}"
    if isinstance(value, dict | list):
        return "=" + _feel_literal(value)
    text = str(value)
    if prop.get("feel") == "required" and not text.startswith("="):
        return "=" + text
    return text


def _feel_literal(value: Any) -> str:
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))}: {_feel_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_feel_literal(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _active(
    prop: Mapping[str, Any], chosen: Mapping[str, Any], properties: list[Mapping[str, Any]]
) -> bool:
    condition = prop.get("condition")
    if condition is None:
        return True
    return _holds(condition, chosen, properties)


def _holds(
    condition: Mapping[str, Any], chosen: Mapping[str, Any], properties: list[Mapping[str, Any]]
) -> bool:
    if "allMatch" in condition:
        return all(_holds(c, chosen, properties) for c in condition["allMatch"])
    name = condition["property"]
    referenced = next((p for p in properties if _key(p) == name), None)
    active = referenced is not None and _active(referenced, chosen, properties)
    value = chosen.get(name) if active else None
    if "isActive" in condition:
        return active == bool(condition["isActive"])
    if "isEmpty" in condition:
        empty = value is None or value == ""
        return empty == bool(condition["isEmpty"])
    if "equals" in condition:
        return active and value == condition["equals"]
    if "oneOf" in condition:
        return active and value in condition["oneOf"]
    raise ValueError(f"unknown template condition {dict(condition)!r}")
