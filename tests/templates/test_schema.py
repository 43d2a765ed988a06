"""Every generated template validates against Camunda's official element-template JSON schema
(from npm, validated with jsonschema), plus the rules the schema cannot express."""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest

from connectors.echo import echo
from connectors.sdk import OutboundConnector
from connectors.sdk.templates import element_template
from tests.templates.sample_connectors import FEATURE_CONNECTORS
from tests.templates.schema import assert_valid, schema_errors, semantic_errors

REST_TYPE = "io.camunda:http-json:1"
GRAPHQL_TYPE = "io.camunda:connector-graphql:1"
EMAIL_TYPE = "io.camunda:email:1"
RABBITMQ_TYPE = "io.camunda:connector-rabbitmq:1"
SEND_MESSAGE_TYPE = "io.camunda:sendMessage:1"
SQL_TYPE = "io.camunda:connector-jdbc:1"


def connector_of(module: str, connector_type: str) -> OutboundConnector:
    """The connector with this type defined in ``module`` (whatever its attribute name)."""
    loaded = importlib.import_module(module)
    found = [
        value
        for value in vars(loaded).values()
        if isinstance(value, OutboundConnector) and value.type == connector_type
    ]
    assert found, f"{module} defines no connector of type {connector_type!r}"
    return found[0]


def all_connectors() -> list[OutboundConnector]:
    return [
        echo,
        connector_of("connectors.http_json", REST_TYPE),
        connector_of("connectors.graphql", GRAPHQL_TYPE),
        connector_of("connectors.email", EMAIL_TYPE),
        connector_of("connectors.rabbitmq", RABBITMQ_TYPE),
        connector_of("connectors.send_message", SEND_MESSAGE_TYPE),
        connector_of("connectors.sql", SQL_TYPE),
        *FEATURE_CONNECTORS,
    ]


@pytest.mark.parametrize(
    "name",
    [
        "echo",
        "http_json",
        "graphql",
        "email",
        "rabbitmq",
        "send_message",
        "sql",
        *(c.type for c in FEATURE_CONNECTORS),
    ],
)
def test_generated_template_is_valid(name: str) -> None:
    by_name = {
        "echo": lambda: echo,
        "http_json": lambda: connector_of("connectors.http_json", REST_TYPE),
        "graphql": lambda: connector_of("connectors.graphql", GRAPHQL_TYPE),
        "email": lambda: connector_of("connectors.email", EMAIL_TYPE),
        "rabbitmq": lambda: connector_of("connectors.rabbitmq", RABBITMQ_TYPE),
        "send_message": lambda: connector_of("connectors.send_message", SEND_MESSAGE_TYPE),
        "sql": lambda: connector_of("connectors.sql", SQL_TYPE),
        **{c.type: (lambda c=c: c) for c in FEATURE_CONNECTORS},
    }
    template = element_template(by_name[name]())
    assert_valid(template)


def test_generation_is_deterministic() -> None:
    for connector in (echo, *FEATURE_CONNECTORS):
        assert element_template(connector) == element_template(connector)


# The validator itself must catch mistakes, or the tests above prove nothing.


@pytest.fixture()
def good() -> dict[str, Any]:
    return element_template(FEATURE_CONNECTORS[0])


def _prop(template: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in template["properties"] if p.get("id") == pid)


def test_validator_rejects_dropdown_without_choices(good: dict[str, Any]) -> None:
    broken = copy.deepcopy(good)
    del _prop(broken, "mode")["choices"]
    assert any("'choices' is a required property" in e for e in schema_errors(broken))


def test_validator_rejects_feel_on_dropdown(good: dict[str, Any]) -> None:
    broken = copy.deepcopy(good)
    _prop(broken, "mode")["feel"] = "optional"
    assert schema_errors(broken)


def test_validator_rejects_optional_with_not_empty(good: dict[str, Any]) -> None:
    broken = copy.deepcopy(good)
    _prop(broken, "ratio")["constraints"] = {"notEmpty": True}
    assert schema_errors(broken)


def test_validator_rejects_deprecated_constructs(good: dict[str, Any]) -> None:
    broken = copy.deepcopy(good)
    broken["properties"][0]["binding"] = {"type": "zeebe:taskDefinition:type"}
    assert "properties/0/binding: deprecated construct" in schema_errors(broken)
    broken = copy.deepcopy(good)
    _prop(broken, "resultExpression")["value"] = "no leading equals sign"
    assert schema_errors(broken)


def test_semantic_checks_catch_dangling_references(good: dict[str, Any]) -> None:
    broken = copy.deepcopy(good)
    _prop(broken, "strict")["condition"]["property"] = "missing"
    _prop(broken, "name")["group"] = "nowhere"
    _prop(broken, "region")["value"] = "mars"
    duplicate = copy.deepcopy(_prop(broken, "count"))
    del duplicate["id"]
    broken["properties"].append(duplicate)
    problems = semantic_errors(broken)
    assert "strict: condition on unknown property 'missing'" in problems
    assert "name: unknown group 'nowhere'" in problems
    assert "region: value 'mars' is not a choice" in problems
    assert "input 'count' appears 2 times without conditions" in problems


def test_missing_npm_packages_fail_with_instructions() -> None:
    from tests.templates.schema import NODE_MODULES, require_node_package

    with pytest.raises(pytest.fail.Exception, match=r"is missing: run `make test`"):
        require_node_package(NODE_MODULES / "@camunda" / "not-installed")
