"""Just enough BPMN reading for the test gateway to walk simple processes.

Reads each process's elements, their first outgoing sequence flow, the job type,
retries, custom headers and input mappings of job-worker tasks, and error boundary
events. Input mappings are applied: static values as they are, ``=`` expressions with
the project's FEEL engine. Output mappings and gateway conditions are not: the walk takes
the first outgoing sequence flow of every element.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from app.runtime.errors import ExpressionError
from app.runtime.expressions import evaluate

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"


@dataclass
class Element:
    id: str
    kind: str  # the BPMN tag without namespace, e.g. "serviceTask"
    next: str | None = None  # target of the first outgoing sequence flow
    job_type: str | None = None
    retries: int = 3
    headers: dict[str, str] = field(default_factory=dict)
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (source, target)
    attached_to: str | None = None  # boundary events
    error_code: str | None = None  # error boundary events; None = catch all
    message_name: str | None = None  # message catch events, receive tasks, message starts
    correlation_key: str | None = None  # zeebe:subscription correlationKey (an expression)
    interrupting: bool = True  # boundary events: cancelActivity


@dataclass
class ProcessDefinition:
    bpmn_process_id: str
    elements: dict[str, Element]
    start_element: str | None
    version: int = 1
    key: int = 0
    resource_name: str = ""
    message_starts: dict[str, str] = field(default_factory=dict)  # message name -> element id
    tenant_id: str = "<default>"

    def message_boundaries(self, element_id: str) -> list[Element]:
        """Message boundary events attached to ``element_id``."""
        return [
            e
            for e in self.elements.values()
            if e.kind == "boundaryEvent" and e.attached_to == element_id and e.message_name
        ]

    def error_boundary(self, element_id: str, code: str) -> str | None:
        """The element after the error boundary event of ``element_id`` catching ``code``."""
        for element in self.elements.values():
            if element.attached_to == element_id and element.kind == "boundaryEvent":
                if element.error_code is None or element.error_code == code:
                    return element.id if element.next is None else element.next
        return None


def parse_bpmn(content: bytes) -> list[ProcessDefinition]:
    """Parse a BPMN XML document; ``ValueError`` if it is not one."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ValueError(f"not a BPMN XML document: {exc}") from None
    error_codes = {e.get("id", ""): e.get("errorCode") for e in root.iter(f"{BPMN}error")}
    messages = {m.get("id", ""): m for m in root.iter(f"{BPMN}message")}
    definitions = []
    for process in root.iter(f"{BPMN}process"):
        elements: dict[str, Element] = {}
        flows: list[tuple[str, str]] = []
        start: str | None = None
        message_starts: dict[str, str] = {}
        for node in process:
            tag = node.tag.removeprefix(BPMN)
            node_id = node.get("id", "")
            if tag == "sequenceFlow":
                flows.append((node.get("sourceRef", ""), node.get("targetRef", "")))
                continue
            if tag.startswith("{") or not node_id:
                continue
            element = Element(node_id, tag, attached_to=node.get("attachedToRef"))
            _read_task(node, element)
            _read_message(node, element, messages)
            if tag == "boundaryEvent":
                element.interrupting = node.get("cancelActivity", "true") != "false"
                ref = next(node.iter(f"{BPMN}errorEventDefinition"), None)
                if ref is None and element.message_name is None:
                    continue
                if ref is not None:
                    element.error_code = error_codes.get(ref.get("errorRef", ""))
            if tag == "startEvent":
                if element.message_name is not None:
                    message_starts.setdefault(element.message_name, node_id)
                elif start is None:
                    start = node_id
            elements[node_id] = element
        for source, target in flows:
            if source in elements and elements[source].next is None:
                elements[source].next = target
        definitions.append(
            ProcessDefinition(process.get("id", ""), elements, start, message_starts=message_starts)
        )
    if not definitions:
        raise ValueError("the BPMN document contains no process")
    return definitions


def _read_task(node: ET.Element, element: Element) -> None:
    definition = next(node.iter(f"{ZEEBE}taskDefinition"), None)
    if definition is None:
        return
    element.job_type = definition.get("type")
    retries = definition.get("retries", "3").removeprefix("=").strip()
    element.retries = int(retries) if retries.isdigit() else 3
    for header in node.iter(f"{ZEEBE}header"):
        element.headers[header.get("key", "")] = header.get("value", "")
    for mapping in node.iter(f"{ZEEBE}input"):
        element.inputs.append((mapping.get("source", ""), mapping.get("target", "")))


def _read_message(node: ET.Element, element: Element, messages: dict[str, ET.Element]) -> None:
    if element.kind == "receiveTask":
        ref = node.get("messageRef")
    else:
        definition = node.find(f"{BPMN}messageEventDefinition")
        ref = definition.get("messageRef") if definition is not None else None
    message = messages.get(ref or "")
    if message is None:
        return
    element.message_name = message.get("name")
    subscription = next(message.iter(f"{ZEEBE}subscription"), None)
    if subscription is not None:
        element.correlation_key = subscription.get("correlationKey")


def apply_inputs(element: Element, variables: dict[str, Any]) -> dict[str, Any]:
    """The job's variables: the instance's variables plus the element's input mappings.

    As Zeebe does, mappings are evaluated one by one in modelling order, each seeing the
    results of the earlier ones, and build local variables that shadow the instance's: a
    nested target (``a.b``) creates a local ``a``, it does not merge into the instance's ``a``
    (camunda/camunda ``zeebe/engine/.../transformer/VariableMappingTransformer.java``).
    """
    local: dict[str, Any] = {}
    for source, target in element.inputs:
        if not target:
            continue
        value = copy.deepcopy(_evaluate(source, {**variables, **local}))
        _set_path(local, target.split("."), value)
    return {**variables, **local}


def evaluate_key(expression: str | None, variables: dict[str, Any]) -> str | None:
    """A subscription's correlation key for an instance (None: it cannot be evaluated)."""
    if not expression:
        return None
    value = _evaluate(expression, variables)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str) else str(value)


def _evaluate(source: str, variables: dict[str, Any]) -> Any:
    if not source.startswith("="):
        return source
    try:
        return evaluate(source, variables)
    except ExpressionError:
        return None  # Zeebe would raise an incident; the walk keeps going with null


def _set_path(target: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = {}
            target[part] = child
        target = child
    target[path[-1]] = value
