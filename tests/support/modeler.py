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


# -- inbound connector templates (start events, catch events, boundary events, receive tasks)

_INBOUND_BINDINGS = (
    "zeebe:property",
    "bpmn:Message#property",
    "bpmn:Message#zeebe:subscription#property",
)
_KINDS = {
    ("bpmn:StartEvent", None): "start_event",
    ("bpmn:StartEvent", "bpmn:MessageEventDefinition"): "message_start_event",
    ("bpmn:IntermediateCatchEvent", "bpmn:MessageEventDefinition"): "intermediate_catch_event",
    ("bpmn:BoundaryEvent", "bpmn:MessageEventDefinition"): "boundary_event",
    ("bpmn:ReceiveTask", None): "receive_task",
}


@dataclass
class AppliedInboundTemplate:
    """What the modeler writes into one inbound connector element: its ``zeebe:properties``
    (every active property, ``""`` for one left empty), and for message elements the message
    name and the ``zeebe:subscription`` correlation key."""

    template_id: str
    template_version: int | None
    kind: str
    properties: dict[str, str] = field(default_factory=dict)
    message_name: str | None = None
    correlation_key: str | None = None

    def bpmn(
        self, process_id: str, element_id: str = "inbound", wait_job_type: str = "test:wait:1"
    ) -> bytes:
        """A deployable process around the element.

        start event: it -> end; message start: it -> end; intermediate catch and receive task:
        none start -> it -> end; boundary: none start -> a service task of ``wait_job_type``
        with the boundary event attached -> end (the boundary leads to its own end event).
        """
        props = "".join(
            f"<zeebe:property name={quoteattr(k)} value={quoteattr(v)}/>"
            for k, v in self.properties.items()
        )
        version = (
            f" zeebe:modelerTemplateVersion={quoteattr(str(self.template_version))}"
            if self.template_version is not None
            else ""
        )
        attrs = f"id={quoteattr(element_id)} zeebe:modelerTemplate={quoteattr(self.template_id)}"
        attrs += version
        extensions = f"<bpmn:extensionElements><zeebe:properties>{props}</zeebe:properties>"
        extensions += "</bpmn:extensionElements>"
        message_def = '<bpmn:messageEventDefinition messageRef="Message_1"/>'
        flows = []
        nodes = []
        if self.kind in ("start_event", "message_start_event"):
            definition = message_def if self.kind == "message_start_event" else ""
            nodes.append(
                f"<bpmn:startEvent {attrs}>{extensions}<bpmn:outgoing>f1</bpmn:outgoing>"
                f"{definition}</bpmn:startEvent>"
            )
            nodes.append(
                '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>'
            )
            flows.append(("f1", element_id, "end"))
        elif self.kind in ("intermediate_catch_event", "receive_task"):
            nodes.append(
                '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            )
            if self.kind == "receive_task":
                nodes.append(
                    f'<bpmn:receiveTask {attrs} messageRef="Message_1">{extensions}'
                    "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
                    "</bpmn:receiveTask>"
                )
            else:
                nodes.append(
                    f"<bpmn:intermediateCatchEvent {attrs}>{extensions}"
                    "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
                    f"{message_def}</bpmn:intermediateCatchEvent>"
                )
            nodes.append(
                '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            )
            flows += [("f1", "start", element_id), ("f2", element_id, "end")]
        elif self.kind == "boundary_event":
            nodes.append(
                '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            )
            nodes.append(
                '<bpmn:serviceTask id="wait"><bpmn:extensionElements>'
                f"<zeebe:taskDefinition type={quoteattr(wait_job_type)}/>"
                "</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming>"
                "<bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>"
            )
            nodes.append(
                f'<bpmn:boundaryEvent {attrs} attachedToRef="wait">{extensions}'
                f"<bpmn:outgoing>f3</bpmn:outgoing>{message_def}</bpmn:boundaryEvent>"
            )
            nodes.append(
                '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            )
            nodes.append(
                '<bpmn:endEvent id="escalated"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
            )
            flows += [
                ("f1", "start", "wait"),
                ("f2", "wait", "end"),
                ("f3", element_id, "escalated"),
            ]
        else:
            raise ValueError(f"unknown inbound element kind {self.kind!r}")
        message = ""
        if self.kind != "start_event":
            subscription = (
                "<bpmn:extensionElements><zeebe:subscription correlationKey="
                f"{quoteattr(self.correlation_key)}/></bpmn:extensionElements>"
                if self.correlation_key
                else ""
            )
            message = (
                f'<bpmn:message id="Message_1" name={quoteattr(self.message_name or "")}>'
                f"{subscription}</bpmn:message>"
            )
        sequence = "".join(
            f"<bpmn:sequenceFlow id={quoteattr(i)} sourceRef={quoteattr(a)}"
            f" targetRef={quoteattr(b)}/>"
            for i, a, b in flows
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
            ' xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
            ' id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">'
            f'<bpmn:process id={quoteattr(process_id)} isExecutable="true">'
            f"{''.join(nodes)}{sequence}</bpmn:process>{message}</bpmn:definitions>"
        )
        return xml.encode("utf-8")


def apply_inbound_template(
    template: Mapping[str, Any], values: Mapping[str, Any]
) -> AppliedInboundTemplate:
    """Apply an inbound connector template (``zeebe:property`` and ``bpmn:Message`` bindings)
    with the user's ``values`` (keyed by property id or binding name).

    As the modeler: hidden properties take their value (a ``generatedValue`` uuid gets a fresh
    uuid unless a value is given), ``feel: required`` text gets its ``=``, Booleans are written
    ``true``/``false``, an active property left empty is written as ``""``, and properties
    whose condition does not hold are not written.
    """
    import uuid

    element_type = template.get("elementType", {})
    kind = _KINDS.get((element_type.get("value"), element_type.get("eventDefinition")))
    if kind is None:
        raise ValueError(f"not an inbound element type: {element_type!r}")
    properties = list(template["properties"])
    chosen: dict[str, Any] = {}
    for prop in properties:
        value = _value(prop, values)
        if value is None and "generatedValue" in prop:
            name = prop["binding"].get("name")
            value = next(
                (values[k] for k in (prop.get("id"), name) if k is not None and k in values),
                str(uuid.uuid4()),
            )
        chosen[_key(prop)] = value
    applied = AppliedInboundTemplate(
        template_id=str(template.get("id", "")),
        template_version=template.get("version"),
        kind=kind,
    )
    for prop in properties:
        binding = prop["binding"]
        if binding["type"] not in _INBOUND_BINDINGS or not _active(prop, chosen, properties):
            continue
        text = _property_text(prop, chosen[_key(prop)])
        if binding["type"] == "zeebe:property":
            applied.properties.setdefault(binding["name"], text)
        elif binding["type"] == "bpmn:Message#property" and binding["name"] == "name":
            applied.message_name = text
        elif binding["name"] == "correlationKey":
            applied.correlation_key = text or None
    return applied


def _property_text(prop: Mapping[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else json.dumps(value)
    if text and prop.get("feel") == "required" and not text.startswith("="):
        text = "=" + text
    return text
