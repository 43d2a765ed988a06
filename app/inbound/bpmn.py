"""Find inbound connector elements in BPMN XML.

Parsed with defusedxml: DTDs, entity declarations and external references are refused, so a
"billion laughs" or an XXE document is an error, not a crash or a file read. An element is an
inbound connector element when it is a start event, intermediate catch event, boundary event
or receive task (also inside sub-processes) whose ``zeebe:properties`` carry ``inbound.type``,
as Camunda's ``ProcessDefinitionInspector`` reads them (camunda/connectors,
connector-runtime-spring .../inbound/state/ProcessDefinitionInspector.java).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from connectors.sdk.inbound import ElementKind

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"
INBOUND_TYPE = "inbound.type"
MAX_BPMN_BYTES = 10 * 1024 * 1024
_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}


class BpmnError(ValueError):
    """The document is not usable BPMN (or is an XML attack); the message says why."""


@dataclass(frozen=True)
class InboundElementSpec:
    """One inbound connector element as modelled (not yet bound to a deployed version)."""

    element_id: str
    kind: ElementKind
    properties: dict[str, str]
    element_name: str | None = None
    message_name: str | None = None
    attached_to: str | None = None
    template_id: str | None = None
    template_version: str | None = None

    @property
    def connector_type(self) -> str:
        return self.properties[INBOUND_TYPE]


@dataclass(frozen=True)
class ProcessModel:
    bpmn_process_id: str
    name: str | None
    elements: tuple[InboundElementSpec, ...] = field(default_factory=tuple)


def parse_processes(content: bytes) -> list[ProcessModel]:
    """Every executable process of a BPMN document with its inbound connector elements.

    Raises :class:`BpmnError` for documents that are not XML, declare entities or a DTD,
    are too large, or contain no process.
    """
    if len(content) > MAX_BPMN_BYTES:
        raise BpmnError(f"the BPMN document is larger than {MAX_BPMN_BYTES} bytes")
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BpmnError(f"refused XML construct: {type(exc).__name__}") from None
    except ET.ParseError as exc:
        raise BpmnError(f"not an XML document: {exc}") from None
    if root.tag != f"{BPMN}definitions":
        raise BpmnError("not a BPMN document: the root element is not bpmn:definitions")
    messages = {m.get("id", ""): m.get("name") for m in root.iter(f"{BPMN}message")}
    processes = []
    for process in root.iter(f"{BPMN}process"):
        process_id = process.get("id", "")
        if not process_id:
            raise BpmnError("a process has no id")
        elements = tuple(_inbound_elements(process, messages))
        processes.append(ProcessModel(process_id, process.get("name"), elements))
    if not processes:
        raise BpmnError("the BPMN document contains no process")
    return processes


def _flow_nodes(container: ET.Element) -> list[ET.Element]:
    nodes: list[ET.Element] = []
    for node in container:
        tag = node.tag.removeprefix(BPMN)
        if tag in _CONTAINERS:
            nodes.extend(_flow_nodes(node))
        nodes.append(node)
    return nodes


def _inbound_elements(
    process: ET.Element, messages: dict[str, str | None]
) -> list[InboundElementSpec]:
    found: list[InboundElementSpec] = []
    for node in _flow_nodes(process):
        tag = node.tag.removeprefix(BPMN)
        if tag not in ("startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask"):
            continue
        properties = _properties(node)
        if INBOUND_TYPE not in properties:
            continue
        element_id = node.get("id", "")
        if not element_id:
            raise BpmnError(f"a {tag} with inbound connector properties has no id")
        message_ref: str | None
        if tag == "receiveTask":
            message_ref = node.get("messageRef")
        else:
            definition = node.find(f"{BPMN}messageEventDefinition")
            message_ref = definition.get("messageRef") if definition is not None else None
        kind: ElementKind
        if tag == "startEvent":
            kind = "message_start_event" if message_ref is not None else "start_event"
        elif tag == "intermediateCatchEvent":
            kind = "intermediate_catch_event"
        elif tag == "boundaryEvent":
            kind = "boundary_event"
        else:
            kind = "receive_task"
        message_name = messages.get(message_ref or "") if message_ref else None
        if kind != "start_event" and not message_name:
            raise BpmnError(
                f"element {element_id!r}: a {tag} with an inbound connector needs a message "
                "with a name"
            )
        found.append(
            InboundElementSpec(
                element_id=element_id,
                kind=kind,
                properties=properties,
                element_name=node.get("name"),
                message_name=message_name,
                attached_to=node.get("attachedToRef"),
                template_id=node.get(f"{ZEEBE}modelerTemplate"),
                template_version=node.get(f"{ZEEBE}modelerTemplateVersion"),
            )
        )
    return found


def _properties(node: ET.Element) -> dict[str, str]:
    extensions = node.find(f"{BPMN}extensionElements")
    if extensions is None:
        return {}
    values: dict[str, str] = {}
    for container in extensions.findall(f"{ZEEBE}properties"):
        for prop in container.findall(f"{ZEEBE}property"):
            name, value = prop.get("name"), prop.get("value")
            if name is None or value is None:
                continue
            values.setdefault(name, value)  # a duplicate keeps the first value, as Camunda
    return values
