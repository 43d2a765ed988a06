"""Element templates for inbound connectors: one per BPMN element kind the connector supports.

Properties come from the connector's properties model, bound as ``zeebe:property`` (the model
is usually wrapped in an ``inbound`` field, so bindings read ``inbound.context``), followed by
the runtime's own properties as Camunda's inbound templates write them: activation
(``activationCondition``, ``consumeUnmatchedEvents``), correlation (the message name, the
``zeebe:subscription`` correlation key, ``correlationKeyExpression``, ``messageIdExpression``,
``messageTtl``), deduplication and output (``resultVariable``, ``resultExpression``).
"""

from __future__ import annotations

import re
from typing import Any

from connectors.sdk.fields import Group
from connectors.sdk.inbound import ElementKind, InboundConnector
from connectors.sdk.templates.errors import TemplateError
from connectors.sdk.templates.generator import (
    CATEGORY,
    ENGINES_WITH_CONFIGURATIONS,
    SCHEMA_URL,
    _configuration_templates,
    _groups,
    _properties,
)
from connectors.sdk.templates.walk import Input, walk

ENGINES = {"camunda": "^8.3"}

ACTIVATION = Group("activation", "Activation")
SYNCHRONOUS = Group("synchronousResponse", "Response handling")
CORRELATION = Group("correlation", "Correlation")
DEDUPLICATION = Group("deduplication", "Deduplication")
OUTPUT = Group("output", "Output mapping")
_RUNTIME_GROUPS = (ACTIVATION, SYNCHRONOUS, CORRELATION, DEDUPLICATION, OUTPUT)
_RUNTIME_IDS = {
    "activationCondition",
    "consumeUnmatchedEvents",
    "synchronousResponse",
    "correlationKeyProcess",
    "correlationKeyPayload",
    "correlationRequired",
    "messageIdExpression",
    "messageTtl",
    "messageNameUuid",
    "deduplicationModeManualFlag",
    "deduplicationId",
    "deduplicationModeManual",
    "deduplicationModeAuto",
    "resultVariable",
    "resultExpression",
}

# (appliesTo, elementType, template id suffix, name suffix) per element kind.
_KINDS: dict[ElementKind, tuple[list[str], dict[str, str], str, str]] = {
    "start_event": (["bpmn:StartEvent"], {"value": "bpmn:StartEvent"}, "", "Start Event"),
    "message_start_event": (
        ["bpmn:StartEvent"],
        {"value": "bpmn:StartEvent", "eventDefinition": "bpmn:MessageEventDefinition"},
        ".StartMessage",
        "Message Start Event",
    ),
    "intermediate_catch_event": (
        ["bpmn:IntermediateCatchEvent", "bpmn:IntermediateThrowEvent"],
        {"value": "bpmn:IntermediateCatchEvent", "eventDefinition": "bpmn:MessageEventDefinition"},
        ".Intermediate",
        "Intermediate Catch Event",
    ),
    "boundary_event": (
        ["bpmn:BoundaryEvent"],
        {"value": "bpmn:BoundaryEvent", "eventDefinition": "bpmn:MessageEventDefinition"},
        ".Boundary",
        "Boundary Event",
    ),
    "receive_task": (
        ["bpmn:ReceiveTask"],
        {"value": "bpmn:ReceiveTask"},
        ".Receive",
        "Receive Task",
    ),
}
_MESSAGE_KINDS = {
    "message_start_event",
    "intermediate_catch_event",
    "boundary_event",
    "receive_task",
}
_DURATION = r"^(PT.*|)$"


def inbound_template_id(connector: InboundConnector, kind: ElementKind) -> str:
    if kind in connector.template_ids:
        return connector.template_ids[kind]
    base = connector.template_id or connector.type
    return base + _KINDS[kind][2]


def inbound_element_templates(connector: InboundConnector) -> list[dict[str, Any]]:
    """One template (a JSON-ready dict) per element kind of ``connector``."""
    return [inbound_element_template(connector, kind) for kind in connector.element_kinds]


def inbound_element_template(connector: InboundConnector, kind: ElementKind) -> dict[str, Any]:
    """The template of ``connector`` for one BPMN element kind."""
    if kind not in connector.element_kinds:
        raise TemplateError(f"connector {connector.type!r} does not support {kind}")
    try:
        return _build(connector, kind)
    except TemplateError as exc:
        raise TemplateError(f"connector {connector.type!r}: {exc}") from None


def _build(connector: InboundConnector, kind: ElementKind) -> dict[str, Any]:
    inputs: list[Input] = walk(connector.properties) if connector.properties else []
    own = [_as_property_binding(p) for p in _properties(inputs, reserved=_RUNTIME_IDS)]
    configurations = _configuration_templates(inputs)
    applies_to, element_type, _, label = _KINDS[kind]
    runtime = _without_omitted(
        _runtime_properties(kind), set(connector.extra.get("runtime_properties_omitted", ()))
    )
    template: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "name": f"{connector.name} {label}",
        "id": inbound_template_id(connector, kind),
        "version": connector.version,
    }
    if connector.description:
        template["description"] = connector.description
    if connector.documentation_url:
        if not re.match(r"^https?://", connector.documentation_url):
            raise TemplateError("documentation_url must be an http(s) URL")
        template["documentationRef"] = connector.documentation_url
    template["category"] = dict(CATEGORY)
    template["appliesTo"] = applies_to
    template["elementType"] = element_type
    template["engines"] = dict(ENGINES_WITH_CONFIGURATIONS if configurations else ENGINES)
    groups = [g for g in _groups(connector.groups, own) if g["id"] not in _STANDARD_OUTBOUND]
    used = {p.get("group") for p in runtime}
    groups += [_group(g) for g in _RUNTIME_GROUPS if g.id in used]
    template["groups"] = groups
    if configurations:
        template["configurationTemplates"] = configurations
    template["properties"] = [
        {
            "value": connector.type,
            "binding": {"type": "zeebe:property", "name": "inbound.type"},
            "type": "Hidden",
        },
        *own,
        *runtime,
    ]
    return template


_STANDARD_OUTBOUND = {"output", "error", "retries"}


def _without_omitted(props: list[dict[str, Any]], omitted: set[str]) -> list[dict[str, Any]]:
    """Drop the omitted runtime properties. A property conditioned on an omitted one is
    decided by the omitted one's default (a property dropped this way counts as inactive for
    those after it): kept without the condition when it holds, dropped when it does not."""
    values = {p["id"]: p.get("value") for p in props if p["id"] in omitted}
    inactive = set(omitted)
    kept: list[dict[str, Any]] = []
    for prop in props:
        if prop["id"] in omitted:
            continue
        condition = prop.get("condition")
        if isinstance(condition, dict) and condition.get("property") in inactive:
            name = condition["property"]
            if "isActive" in condition:
                holds = condition["isActive"] is (name not in inactive)
            else:
                value = values.get(name)
                holds = (
                    value is not None and str(condition.get("equals")).lower() == str(value).lower()
                )
            if not holds:
                inactive.add(prop["id"])
                continue
            prop = {k: v for k, v in prop.items() if k != "condition"}
        kept.append(prop)
    return kept


def _group(group: Group) -> dict[str, Any]:
    return {"id": group.id, "label": group.label}


def _as_property_binding(prop: dict[str, Any]) -> dict[str, Any]:
    result = dict(prop)
    result["binding"] = {"type": "zeebe:property", "name": prop["binding"]["name"]}
    if result.get("type") in ("Boolean", "Number", "Dropdown", "Hidden"):
        result.pop("feel", None)  # a property is a string: no FEEL literal form
    if result.get("type") == "Number":
        result["type"] = "String"
        if "value" in result:
            result["value"] = str(result["value"])
    return result


def _runtime_properties(kind: ElementKind) -> list[dict[str, Any]]:
    props: list[dict[str, Any]] = [
        {
            "id": "activationCondition",
            "label": "Activation condition",
            "description": "FEEL condition on the event (e.g. <code>=request.body.ok</code>); "
            "leave empty to activate on every event",
            "type": "String",
            "optional": True,
            "feel": "required",
            "group": ACTIVATION.id,
            "binding": {"type": "zeebe:property", "name": "activationCondition"},
        },
        {
            "id": "consumeUnmatchedEvents",
            "label": "Consume unmatched events",
            "description": "Acknowledge events whose activation condition does not hold instead "
            "of refusing them",
            "type": "Boolean",
            "value": True,
            "group": ACTIVATION.id,
            "binding": {"type": "zeebe:property", "name": "consumeUnmatchedEvents"},
        },
        {
            "id": "synchronousResponse",
            "label": "Response handling",
            "description": "Synchronous: wait for the process instance to complete (start "
            "event) or the message to be correlated, and answer with the result",
            "type": "Dropdown",
            "value": "false",
            "choices": [
                {"name": "Asynchronous", "value": "false"},
                {"name": "Synchronous", "value": "true"},
            ],
            "group": SYNCHRONOUS.id,
            "binding": {"type": "zeebe:property", "name": "synchronousResponse"},
        },
    ]
    if kind in _MESSAGE_KINDS:
        props.extend(_correlation_properties(kind))
    props.extend(_deduplication_properties())
    props.extend(
        [
            {
                "id": "resultVariable",
                "label": "Result variable",
                "description": "Name of the variable to store the whole event in",
                "type": "String",
                "group": OUTPUT.id,
                "binding": {"type": "zeebe:property", "name": "resultVariable"},
            },
            {
                "id": "resultExpression",
                "label": "Result expression",
                "description": "FEEL expression mapping the event into process variables",
                "type": "Text",
                "feel": "required",
                "group": OUTPUT.id,
                "binding": {"type": "zeebe:property", "name": "resultExpression"},
            },
        ]
    )
    return props


def _correlation_properties(kind: ElementKind) -> list[dict[str, Any]]:
    props: list[dict[str, Any]] = []
    key_condition: dict[str, Any] | None = None
    if kind == "message_start_event":
        props.append(
            {
                "id": "correlationRequired",
                "label": "Subprocess correlation required",
                "type": "Dropdown",
                "value": "notRequired",
                "choices": [
                    {"name": "Correlation not required", "value": "notRequired"},
                    {"name": "Correlation required", "value": "required"},
                ],
                "group": CORRELATION.id,
                "binding": {"type": "zeebe:property", "name": "correlationRequired"},
            }
        )
        key_condition = {"property": "correlationRequired", "equals": "required"}
    for prop in (
        {
            "id": "correlationKeyProcess",
            "label": "Correlation key (process)",
            "description": "Sets up the message subscription's correlation key",
            "type": "String",
            "feel": "required",
            "constraints": {"notEmpty": True},
            "group": CORRELATION.id,
            "binding": {
                "type": "bpmn:Message#zeebe:subscription#property",
                "name": "correlationKey",
            },
        },
        {
            "id": "correlationKeyPayload",
            "label": "Correlation key (payload)",
            "description": "Extracts the correlation key from the event",
            "type": "String",
            "feel": "required",
            "constraints": {"notEmpty": True},
            "group": CORRELATION.id,
            "binding": {"type": "zeebe:property", "name": "correlationKeyExpression"},
        },
    ):
        if key_condition is not None:
            prop["condition"] = dict(key_condition)
        props.append(prop)
    props.extend(
        [
            {
                "id": "messageIdExpression",
                "label": "Message ID expression",
                "description": "Extracts the message ID from the event",
                "type": "String",
                "optional": True,
                "feel": "required",
                "group": CORRELATION.id,
                "binding": {"type": "zeebe:property", "name": "messageIdExpression"},
                "condition": {"property": "synchronousResponse", "equals": "false"},
            },
            {
                "id": "messageTtl",
                "label": "Message TTL",
                "description": "ISO-8601 duration the message is buffered for (e.g. PT1H)",
                "type": "String",
                "optional": True,
                "constraints": {
                    "notEmpty": False,
                    "pattern": {"value": _DURATION, "message": "must be an ISO-8601 duration"},
                },
                "group": CORRELATION.id,
                "binding": {"type": "zeebe:property", "name": "messageTtl"},
                "condition": {"property": "synchronousResponse", "equals": "false"},
            },
            {
                "id": "messageNameUuid",
                "label": "Message name",
                "generatedValue": {"type": "uuid"},
                "type": "String",
                "feel": "optional",
                "group": CORRELATION.id,
                "binding": {"type": "bpmn:Message#property", "name": "name"},
            },
        ]
    )
    return props


def _deduplication_properties() -> list[dict[str, Any]]:
    return [
        {
            "id": "deduplicationModeManualFlag",
            "label": "Manual mode",
            "description": "Choose the deduplication ID yourself instead of deriving it from "
            "the connector's properties",
            "type": "Boolean",
            "value": False,
            "group": DEDUPLICATION.id,
            "binding": {"type": "zeebe:property", "name": "deduplicationModeManualFlag"},
        },
        {
            "id": "deduplicationId",
            "label": "Deduplication ID",
            "type": "String",
            "constraints": {
                "notEmpty": True,
                "pattern": {
                    "value": "^[a-zA-Z0-9_-]+$",
                    "message": "can only contain alphanumeric characters, dashes, and underscores",
                },
            },
            "group": DEDUPLICATION.id,
            "binding": {"type": "zeebe:property", "name": "deduplicationId"},
            "condition": {"property": "deduplicationModeManualFlag", "equals": True},
        },
        {
            "id": "deduplicationModeManual",
            "type": "Hidden",
            "value": "MANUAL",
            "group": DEDUPLICATION.id,
            "binding": {"type": "zeebe:property", "name": "deduplicationMode"},
            "condition": {"property": "deduplicationId", "isActive": True},
        },
        {
            "id": "deduplicationModeAuto",
            "type": "Hidden",
            "value": "AUTO",
            "group": DEDUPLICATION.id,
            "binding": {"type": "zeebe:property", "name": "deduplicationMode"},
            "condition": {"property": "deduplicationId", "isActive": False},
        },
    ]
