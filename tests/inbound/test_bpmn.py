# ruff: noqa: E501  (BPMN fixtures read best one element per line)
"""Finding inbound connector elements in BPMN (app/inbound/bpmn.py), as Camunda's
ProcessDefinitionInspector does (camunda/connectors connector-runtime-spring
.../inbound/state/ProcessDefinitionInspector.java: start events, intermediate catch events,
boundary events and receive tasks with an ``inbound.type`` property, also inside
sub-processes; the first of duplicate properties wins), and refusing XML attacks."""

from __future__ import annotations

import pytest

from app.inbound.bpmn import BpmnError, parse_processes
from app.inbound.model import (
    DefinitionRef,
    DefinitionState,
    active_registrations,
    registrations_for,
)

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
)


def props(**values: str) -> str:
    inner = "".join(f'<zeebe:property name="{k}" value="{v}"/>' for k, v in values.items())
    return f"<bpmn:extensionElements><zeebe:properties>{inner}</zeebe:properties></bpmn:extensionElements>"


WEBHOOK = {"inbound.type": "io.camunda:webhook:1", "inbound.context": "c"}

DOCUMENT = f"""<?xml version="1.0"?>
<bpmn:definitions {NS} id="d">
  <bpmn:message id="m1" name="paid"/>
  <bpmn:message id="m2" name="ping"/>
  <bpmn:process id="p" name="Orders" isExecutable="true">
    <bpmn:startEvent id="plain">{props(**WEBHOOK)}</bpmn:startEvent>
    <bpmn:startEvent id="msgstart">{props(**WEBHOOK)}<bpmn:messageEventDefinition messageRef="m2"/></bpmn:startEvent>
    <bpmn:startEvent id="not-a-connector"/>
    <bpmn:intermediateCatchEvent id="catch" name="Paid?">{props(**WEBHOOK)}<bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="task">{props(**WEBHOOK)}</bpmn:serviceTask>
    <bpmn:boundaryEvent id="edge" attachedToRef="task">{props(**WEBHOOK)}<bpmn:messageEventDefinition messageRef="m1"/></bpmn:boundaryEvent>
    <bpmn:receiveTask id="recv" messageRef="m2">{props(**WEBHOOK)}</bpmn:receiveTask>
    <bpmn:subProcess id="sub">
      <bpmn:intermediateCatchEvent id="inner">{props(**WEBHOOK)}<bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_element_kinds_message_names_and_sub_processes() -> None:
    [process] = parse_processes(DOCUMENT)
    found = {e.element_id: (e.kind, e.message_name) for e in process.elements}
    assert found == {
        "plain": ("start_event", None),
        "msgstart": ("message_start_event", "ping"),
        "catch": ("intermediate_catch_event", "paid"),
        "edge": ("boundary_event", "paid"),
        "recv": ("receive_task", "ping"),
        "inner": ("intermediate_catch_event", "paid"),
    }
    assert process.name == "Orders"
    edge = next(e for e in process.elements if e.element_id == "edge")
    assert edge.attached_to == "task"


def test_the_first_of_duplicate_properties_wins() -> None:
    duplicate = DOCUMENT.replace(
        b'<zeebe:property name="inbound.context" value="c"/>',
        b'<zeebe:property name="inbound.context" value="c"/><zeebe:property name="inbound.context" value="z"/>',
        1,
    )
    [process] = parse_processes(duplicate)
    assert process.elements[0].properties["inbound.context"] == "c"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="&xxe;"/></bpmn:definitions>"""


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (BILLION_LAUGHS, "refused XML construct"),
        (XXE, "refused XML construct"),
        (b"<nope", "not an XML document"),
        (b"<a/>", "not a BPMN document"),
        (f"<bpmn:definitions {NS}/>".encode(), "contains no process"),
        (
            f'<bpmn:definitions {NS}><bpmn:process id="p"><bpmn:intermediateCatchEvent id="x">'
            f"{props(**WEBHOOK)}</bpmn:intermediateCatchEvent></bpmn:process></bpmn:definitions>".encode(),
            "needs a message with a name",
        ),
    ],
)
def test_bad_and_hostile_documents_are_refused(document: bytes, reason: str) -> None:
    with pytest.raises(BpmnError, match=reason):
        parse_processes(document)


def state(version: int, key: int, has_subscriptions: bool | None = None) -> DefinitionState:
    ref = DefinitionRef(key, "p", version)
    return DefinitionState(ref, tuple(registrations_for(ref, DOCUMENT)), has_subscriptions)


def test_only_the_latest_version_keeps_its_start_events() -> None:
    """ProcessStateManagerImpl.filterStartEvents: older versions lose their (message) start
    events and keep their message elements while they may have subscriptions."""
    active = active_registrations([state(1, 10), state(2, 20)])
    by_version = {(r.definition.version, r.element.element_id) for r in active}
    assert (1, "plain") not in by_version and (1, "msgstart") not in by_version
    assert {(2, "plain"), (2, "msgstart"), (1, "catch"), (1, "recv"), (1, "edge")} <= by_version
    gone = active_registrations([state(1, 10, has_subscriptions=False), state(2, 20)])
    assert {r.definition.version for r in gone} == {2}
