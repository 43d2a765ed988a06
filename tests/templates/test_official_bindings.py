"""Our REST and GraphQL templates bind what Camunda's official templates bind (newest version
in ``@camunda/connectors-element-templates``), so one BPMN runs on both runtimes."""

from __future__ import annotations

import pytest

from connectors.sdk.templates import element_template
from tests.templates.official import Bindings, bindings, official_template
from tests.templates.test_schema import (
    EMAIL_TYPE,
    GRAPHQL_TYPE,
    RABBITMQ_TYPE,
    REST_TYPE,
    SEND_MESSAGE_TYPE,
    SQL_TYPE,
    connector_of,
)

CASES = {
    "rest": ("connectors.http_json", REST_TYPE, "io.camunda.connectors.HttpJson.v2"),
    "graphql": ("connectors.graphql", GRAPHQL_TYPE, "io.camunda.connectors.GraphQL.v1"),
    "email": ("connectors.email", EMAIL_TYPE, "io.camunda.connectors.email.v1"),
    "rabbitmq": ("connectors.rabbitmq", RABBITMQ_TYPE, "io.camunda.connectors.RabbitMQ.v1"),
    # The send-task variant of Camunda's three send-message templates (send-message-connector-
    # send-task.json; the intermediate-throw-event and message-end-event ones bind the same).
    "send_message": (
        "connectors.send_message",
        SEND_MESSAGE_TYPE,
        "io.camunda.connectors.message.sendtask.v1",
    ),
    "sql": ("connectors.sql", SQL_TYPE, "io.camunda.connectors.Jdbc.v1"),
}
# The dropdown that picks the authentication variant, per case.
DISCRIMINATORS = {
    "rest": "authentication.type",
    "graphql": "authentication.type",
    "email": "authentication.type",
    "rabbitmq": "authentication.authType",
    "send_message": "correlationType.type",
    "sql": "connection.authType",
}


def _pair(case: str) -> tuple[Bindings, Bindings]:
    module, connector_type, template_id = CASES[case]
    connector = connector_of(module, connector_type)
    assert connector.template_id == template_id
    ours = element_template(connector)
    assert ours["id"] == template_id
    return bindings(ours), bindings(official_template(template_id))


@pytest.mark.parametrize("case", sorted(CASES))
def test_task_type_matches(case: str) -> None:
    ours, official = _pair(case)
    assert ours.task_type == official.task_type == CASES[case][1]
    assert ours.task_definition == official.task_definition == {"type", "retries"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_input_bindings_match(case: str) -> None:
    ours, official = _pair(case)
    assert sorted(ours.inputs - official.inputs) == [], "inputs the official template lacks"
    assert sorted(official.inputs - ours.inputs) == [], "official inputs we do not bind"


@pytest.mark.parametrize("case", sorted(CASES))
def test_header_bindings_match(case: str) -> None:
    ours, official = _pair(case)
    assert ours.headers == official.headers
    assert {
        "resultVariable",
        "resultExpression",
        "errorExpression",
        "retryBackoff",
        "elementTemplateId",
        "elementTemplateVersion",
    } <= ours.headers


@pytest.mark.parametrize("case", sorted(CASES))
def test_dropdown_values_match(case: str) -> None:
    """Discriminator values (authentication.type...) and every other stored choice."""
    ours, official = _pair(case)
    assert set(ours.dropdowns) == set(official.dropdowns)
    for binding, values in official.dropdowns.items():
        assert ours.dropdowns[binding] == values, binding
    assert DISCRIMINATORS[case] in official.dropdowns


# Known gaps of our reusable-credential shape, reported to the REST connector's owner: the
# official credential also carries a URL, and cannot be "noAuth".
CREDENTIAL_FIELDS_WE_LACK = {"url"}
CREDENTIAL_CHOICES_WE_ADD = {"authentication.type": {"noAuth"}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_configuration_templates_bind_a_subset(case: str) -> None:
    ours, official = _pair(case)
    assert set(ours.configurations) == set(official.configurations)
    for config_id, (names, choices) in official.configurations.items():
        our_names, our_choices = ours.configurations[config_id]
        assert our_names - names == set(), config_id
        assert names - our_names <= CREDENTIAL_FIELDS_WE_LACK, config_id
        assert set(our_choices) == set(choices)
        for binding, values in choices.items():
            extra = CREDENTIAL_CHOICES_WE_ADD.get(binding, set())
            assert values <= our_choices[binding] <= values | extra, binding


def test_comparison_notices_a_difference() -> None:
    official = bindings(official_template("io.camunda.connectors.HttpJson.v2"))
    assert "url" in official.inputs and "authentication.type" in official.dropdowns
    trimmed = official_template("io.camunda.connectors.HttpJson.v2")
    trimmed["properties"] = [p for p in trimmed["properties"] if p["binding"].get("name") != "url"]
    assert "url" not in bindings(trimmed).inputs


@pytest.mark.parametrize("case", sorted(CASES))
def test_version_and_retry_backoff_default_match(case: str) -> None:
    """A BPMN modelled with the newest official template names its version; ours must match."""
    module, connector_type, template_id = CASES[case]
    ours = element_template(connector_of(module, connector_type))
    official = official_template(template_id)
    assert ours["version"] == official["version"]

    def backoff(template: dict) -> str | None:
        return next(
            (
                p.get("value")
                for p in template["properties"]
                if p.get("binding", {}).get("key") == "retryBackoff"
            ),
            None,
        )

    assert backoff(ours) == backoff(official) == "PT30S"


def test_send_message_template_is_the_send_task_variant() -> None:
    """A send task, as the official template; its elementTemplateId header names the base id
    (camunda/connectors ``SendMessageConnectorFunction.java``: ``@ElementTemplate(id =
    "io.camunda.connectors.message.v1")`` with per-element ``templateIdOverride``)."""
    ours = element_template(connector_of("connectors.send_message", SEND_MESSAGE_TYPE))
    official = official_template("io.camunda.connectors.message.sendtask.v1")
    assert ours["appliesTo"] == official["appliesTo"] == ["bpmn:Task"]
    assert ours["elementType"] == official["elementType"] == {"value": "bpmn:SendTask"}

    def header(template: dict, key: str) -> str | None:
        return next(
            (
                p.get("value")
                for p in template["properties"]
                if p.get("binding", {}).get("key") == key
            ),
            None,
        )

    assert header(ours, "elementTemplateId") == header(official, "elementTemplateId")
    assert header(ours, "elementTemplateId") == "io.camunda.connectors.message.v1"
    # Every official variant binds the same inputs as the send task.
    for variant in (
        "io.camunda.connectors.message.intermediate.v1",
        "io.camunda.connectors.message.end.v1",
    ):
        assert bindings(official_template(variant)).inputs == bindings(official).inputs
