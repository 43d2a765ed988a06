"""Element templates of the e-mail inbound connector: one per element kind, valid against
Camunda's official element-template schema, carrying every binding (and dropdown value) of
Camunda's official e-mail inbound templates (npm @camunda/connectors-element-templates:
email-message-start-event-connector.json, email-inbound-connector-intermediate.json, -boundary,
-receive; newest versions, 3) and their reusable IMAP credential
(``io.camunda.connectors:email-account-imap:1``), under the same ids."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.email.inbound import INBOUND_TYPE, EmailConsumer
from connectors.sdk.templates.inbound import inbound_element_template
from tests.templates.official import official_template
from tests.templates.schema import assert_valid, semantic_errors
from tests.templates.test_rabbitmq_inbound_templates import bindings, dropdowns

EMAIL = EmailConsumer.__inbound_connector__  # type: ignore[attr-defined]
OFFICIAL = {
    "message_start_event": "io.camunda.connectors.inbound.EmailMessageStart.v1",
    "intermediate_catch_event": "io.camunda.connectors.inbound.EmailIntermediate.v1",
    "boundary_event": "io.camunda.connectors.inbound.EmailBoundary.v1",
    "receive_task": "io.camunda.connectors.inbound.EmailReceive.v1",
}


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_email_inbound_templates_are_valid(kind: str) -> None:
    template = inbound_element_template(EMAIL, kind)  # type: ignore[arg-type]
    assert_valid(template, inbound=True)
    assert semantic_errors(template, inbound=True) == []


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_email_inbound_templates_bind_exactly_what_the_official_ones_bind(kind: str) -> None:
    ours = inbound_element_template(EMAIL, kind)  # type: ignore[arg-type]
    official = official_template(OFFICIAL[kind])
    assert (ours["id"], ours["version"]) == (official["id"], official["version"])
    assert ours["appliesTo"] == official["appliesTo"]
    assert ours["elementType"] == official["elementType"]
    assert bindings(official) - bindings(ours) == set(), "official bindings we lack"
    assert bindings(ours) - bindings(official) == set(), "bindings the official template lacks"
    assert dropdowns(ours) == dropdowns(official)
    hidden = [p for p in ours["properties"] if p["binding"]["name"] == "inbound.type"]
    assert [p["value"] for p in hidden] == [INBOUND_TYPE]
    defaults = {"data.pollingWaitTime": "PT20S", "data.imapConfig.imapPort": "993"}
    for name, value in defaults.items():
        assert [p.get("value") for p in ours["properties"] if p["binding"]["name"] == name] == [
            value
        ]


@pytest.mark.parametrize("kind", sorted(OFFICIAL))
def test_the_reusable_imap_credential_matches_the_official_one(kind: str) -> None:
    ours = _credential(inbound_element_template(EMAIL, kind))  # type: ignore[arg-type]
    official = _credential(official_template(OFFICIAL[kind]))
    assert (ours["id"], ours["version"], ours["kind"]) == (
        official["id"],
        official["version"],
        official["kind"],
    )
    assert bindings(ours) == bindings(official)
    assert dropdowns(ours) == dropdowns(official)


def _credential(template: dict[str, Any]) -> dict[str, Any]:
    [credential] = template["configurationTemplates"]
    return dict(credential)
