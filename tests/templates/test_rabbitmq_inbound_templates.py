"""Element templates of the RabbitMQ inbound connector: one per element kind, valid against
Camunda's official element-template schema, carrying every binding (and dropdown value) of
Camunda's official RabbitMQ inbound templates (npm @camunda/connectors-element-templates:
rabbitmq-inbound-connector-start-event.json, -message-start, -intermediate, -boundary,
-receive; newest versions), under the same ids, so a process modelled with either set is the
same process."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.rabbitmq.inbound import INBOUND_TYPE, RabbitMqConsumer
from connectors.sdk.templates.inbound import inbound_element_template
from tests.templates.official import official_template
from tests.templates.schema import assert_valid, semantic_errors

RABBITMQ = RabbitMqConsumer.__inbound_connector__  # type: ignore[attr-defined]
OFFICIAL = {
    "start_event": "io.camunda.connectors.inbound.RabbitMQ.StartEvent.v1",
    "message_start_event": "io.camunda.connectors.inbound.RabbitMQ.MessageStart.v1",
    "intermediate_catch_event": "io.camunda.connectors.inbound.RabbitMQ.Intermediate.v1",
    "boundary_event": "io.camunda.connectors.inbound.RabbitMQ.Boundary.v1",
    "receive_task": "io.camunda.connectors.inbound.RabbitMQ.Receive.v1",
}


def bindings(template: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["binding"]["type"], p["binding"]["name"]) for p in template["properties"]}


def dropdowns(template: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in template["properties"]:
        if p.get("type") == "Dropdown":
            found.setdefault(p["binding"]["name"], set()).update(c["value"] for c in p["choices"])
    return found


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_rabbitmq_inbound_templates_are_valid(kind: str) -> None:
    template = inbound_element_template(RABBITMQ, kind)  # type: ignore[arg-type]
    assert_valid(template, inbound=True)
    assert semantic_errors(template, inbound=True) == []


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_rabbitmq_inbound_templates_bind_exactly_what_the_official_ones_bind(kind: str) -> None:
    ours = inbound_element_template(RABBITMQ, kind)  # type: ignore[arg-type]
    official = official_template(OFFICIAL[kind])
    assert (ours["id"], ours["version"]) == (official["id"], official["version"])
    assert ours["appliesTo"] == official["appliesTo"]
    assert ours["elementType"] == official["elementType"]
    assert bindings(official) - bindings(ours) == set(), "official bindings we lack"
    assert bindings(ours) - bindings(official) == set(), "bindings the official template lacks"
    assert dropdowns(ours) == dropdowns(official)
    hidden = [p for p in ours["properties"] if p["binding"]["name"] == "inbound.type"]
    assert [p["value"] for p in hidden] == [INBOUND_TYPE]
    # A queue consumer has no caller to answer: no synchronous response (as Camunda's).
    assert "synchronousResponse" not in {p.get("id") for p in ours["properties"]}
