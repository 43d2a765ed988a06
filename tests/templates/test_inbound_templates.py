"""Element templates of inbound connectors (connectors/sdk/templates/inbound.py): one per
element kind, valid against Camunda's official element-template schema, and for the webhook
connector carrying every binding of Camunda's official webhook templates (npm
@camunda/connectors-element-templates: webhook-connector-start-event.json, -start-message,
-intermediate, -boundary, -receive; newest versions), so a process modelled with either set
runs the same."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from connectors.sdk.inbound import inbound_connector
from connectors.sdk.templates import TemplateError
from connectors.sdk.templates.inbound import inbound_element_template, inbound_element_templates
from connectors.webhook import HttpWebhook
from tests.templates.official import official_template
from tests.templates.schema import assert_valid, semantic_errors

WEBHOOK = HttpWebhook.__inbound_connector__  # type: ignore[attr-defined]
OFFICIAL = {
    "start_event": "io.camunda.connectors.webhook.WebhookConnector.v1",
    "message_start_event": "io.camunda.connectors.webhook.WebhookConnectorStartMessage.v1",
    "intermediate_catch_event": "io.camunda.connectors.webhook.WebhookConnectorIntermediate.v1",
    "boundary_event": "io.camunda.connectors.webhook.WebhookConnectorBoundary.v1",
    "receive_task": "io.camunda.connectors.webhook.WebhookConnectorReceive.v1",
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
def test_webhook_templates_are_valid(kind: str) -> None:
    template = inbound_element_template(WEBHOOK, kind)  # type: ignore[arg-type]
    assert_valid(template, inbound=True)
    assert semantic_errors(template, inbound=True) == []


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_webhook_templates_bind_what_the_official_ones_bind(kind: str) -> None:
    ours = inbound_element_template(WEBHOOK, kind)  # type: ignore[arg-type]
    official = official_template(OFFICIAL[kind])
    assert ours["id"] == official["id"]
    assert ours["appliesTo"] == official["appliesTo"]
    assert ours["elementType"] == official["elementType"]
    missing = bindings(official) - bindings(ours)
    extra = bindings(ours) - bindings(official)
    assert missing == set(), "official bindings we lack"
    # The official start templates also have a synchronousResponse dropdown; ours too.
    assert extra == set(), "bindings the official template lacks"
    assert dropdowns(ours) == dropdowns(official)
    hidden = {
        p["binding"]["name"]: p.get("value") for p in ours["properties"] if p["type"] == "Hidden"
    }
    assert hidden["inbound.type"] == "io.camunda:webhook:1"


def test_every_kind_gets_a_template_and_unsupported_kinds_are_refused() -> None:
    class Props(BaseModel):
        pass

    @inbound_connector(name="Ticker", type="io.example:ticker:1", element_kinds=["start_event"])
    class Ticker:
        def activate(self, context: object) -> None: ...

    definition = Ticker.__inbound_connector__  # type: ignore[attr-defined]
    assert [t["id"] for t in inbound_element_templates(definition)] == ["io.example:ticker:1"]
    with pytest.raises(TemplateError, match="does not support receive_task"):
        inbound_element_template(definition, "receive_task")
    assert len(inbound_element_templates(WEBHOOK)) == 5


def test_the_decorator_refuses_what_cannot_work() -> None:
    with pytest.raises(TypeError, match="needs activate"):

        @inbound_connector(name="x", type="x:1")
        class NoActivate:
            pass

    with pytest.raises(ValueError, match="unknown element kinds"):

        @inbound_connector(name="x", type="x:1", element_kinds=["serviceTask"])  # type: ignore[list-item]
        class Wrong:
            def activate(self, context: object) -> None: ...
