"""The HTTP polling connector's element templates (connectors/http_polling): valid against
Camunda's official element-template schema and binding exactly what Camunda's official
polling templates bind (npm @camunda/connectors-element-templates,
``http-polling-connector.json`` and ``http-polling-boundary-catch-event-connector.json``,
newest versions), so a process modelled with either runs the same. The element kinds are
those of camunda/connectors connectors/http/polling ``HttpPollingConnector.java``
(``elementTypes``: intermediate catch event and boundary event)."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.http_polling import HttpPolling
from connectors.sdk.templates.inbound import inbound_element_template, inbound_element_templates
from tests.templates.official import official_template
from tests.templates.schema import assert_valid, semantic_errors

POLLING = HttpPolling.__inbound_connector__  # type: ignore[attr-defined]
OFFICIAL = {
    "intermediate_catch_event": "io.camunda.connectors.http.Polling",
    "boundary_event": "io.camunda.connectors.http.Polling.Boundary",
}


def bindings(template: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["binding"]["type"], p["binding"]["name"]) for p in template["properties"]}


def dropdowns(template: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in template["properties"]:
        if p.get("type") == "Dropdown":
            found.setdefault(p["binding"]["name"], set()).update(c["value"] for c in p["choices"])
    return found


def test_one_template_per_official_element_kind() -> None:
    assert [t["id"] for t in inbound_element_templates(POLLING)] == list(OFFICIAL.values())


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_polling_templates_are_valid(kind: str) -> None:
    template = inbound_element_template(POLLING, kind)  # type: ignore[arg-type]
    assert_valid(template, inbound=True)
    assert semantic_errors(template, inbound=True) == []


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_polling_templates_bind_what_the_official_ones_bind(kind: str) -> None:
    ours = inbound_element_template(POLLING, kind)  # type: ignore[arg-type]
    official = official_template(OFFICIAL[kind])
    assert (ours["id"], ours["version"]) == (official["id"], official["version"])
    assert ours["appliesTo"] == official["appliesTo"]
    assert ours["elementType"] == official["elementType"]
    assert ours["engines"] == official["engines"]
    assert bindings(official) - bindings(ours) == set(), "official bindings we lack"
    assert bindings(ours) - bindings(official) == set(), "bindings the official template lacks"
    assert dropdowns(ours) == dropdowns(official)
    assert [g["id"] for g in ours["groups"]] == [g["id"] for g in official["groups"]]
    hidden = {
        p["binding"]["name"]: p.get("value") for p in ours["properties"] if p["type"] == "Hidden"
    }
    assert hidden["inbound.type"] == "io.camunda:http-polling:1"
    assert hidden["processPollingInterval"] == "PT5S"
    by_name = {p["binding"]["name"]: p for p in ours["properties"]}
    assert by_name["httpRequestInterval"]["value"] == "PT50S"
    # The reusable REST credential of the official template.
    assert [c["id"] for c in ours["configurationTemplates"]] == [
        c["id"] for c in official["configurationTemplates"]
    ]


def test_omitted_runtime_properties_decide_what_depends_on_them() -> None:
    from pydantic import BaseModel

    from connectors.sdk.inbound import inbound_connector

    class Props(BaseModel):
        pass

    @inbound_connector(
        name="Pull",
        type="test:pull:1",
        properties=Props,
        element_kinds=["intermediate_catch_event"],
        extra={
            "runtime_properties_omitted": ("synchronousResponse", "deduplicationModeManualFlag")
        },
    )
    class Pull:
        def activate(self, context: object) -> None: ...

    template = inbound_element_template(
        Pull.__inbound_connector__,  # type: ignore[attr-defined]
        "intermediate_catch_event",
    )
    by_id = {p.get("id"): p for p in template["properties"]}
    # synchronousResponse defaults to "false": what needs "false" stays, unconditionally
    assert "condition" not in by_id["messageIdExpression"]
    assert "condition" not in by_id["messageTtl"]
    # the manual flag defaults to false: the deduplication id it would show is gone
    assert "deduplicationId" not in by_id and "synchronousResponse" not in by_id
    # ... so the mode is AUTO, always
    assert "deduplicationModeManual" not in by_id
    assert by_id["deduplicationModeAuto"]["value"] == "AUTO"
    assert "condition" not in by_id["deduplicationModeAuto"]
    assert_valid(template, inbound=True)
