"""What the generator makes of each input-model feature."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from connectors.echo import echo
from connectors.sdk import Condition, Group, Property, outbound_connector
from connectors.sdk.templates import SCHEMA_URL, TemplateError, element_template
from tests.templates.sample_connectors import (
    SVG_ICON,
    credentials,
    features,
    nested_unions,
    no_input,
    plain,
)


def props(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in template["properties"] if "id" in p}


@pytest.fixture(scope="module")
def feature() -> dict[str, Any]:
    return element_template(features)


@pytest.fixture(scope="module")
def fp(feature: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return props(feature)


def test_template_header(feature: dict[str, Any]) -> None:
    assert feature["$schema"] == SCHEMA_URL
    assert feature["id"] == "io.example.FeatureProbe.v1"
    assert feature["name"] == "Feature Probe"
    assert feature["version"] == 4
    assert feature["description"] == "Exercises every template feature"
    assert feature["documentationRef"] == "https://example.com/docs/features"
    assert feature["icon"] == {"contents": SVG_ICON}
    assert feature["category"] == {"id": "connectors", "name": "Connectors"}
    assert feature["appliesTo"] == ["bpmn:Task"]
    assert feature["elementType"] == {"value": "bpmn:ServiceTask"}
    assert feature["engines"] == {"camunda": "^8.5"}  # retries bindings need 8.5


def test_task_type_is_hidden_first_property(feature: dict[str, Any]) -> None:
    assert feature["properties"][0] == {
        "type": "Hidden",
        "value": "test:features:1",
        "binding": {"type": "zeebe:taskDefinition", "property": "type"},
    }


def test_groups_declared_then_discovered_then_standard(feature: dict[str, Any]) -> None:
    groups = feature["groups"]
    assert [g["id"] for g in groups] == ["endpoint", "input", "auth", "output", "error", "retries"]
    assert groups[0] == {
        "id": "endpoint",
        "label": "HTTP endpoint",
        "tooltip": "Where requests go",
        "openByDefault": True,
    }
    assert groups[2]["label"] == "Auth"


def test_standard_output_error_and_retry_properties(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["resultVariable"]["binding"] == {"type": "zeebe:taskHeader", "key": "resultVariable"}
    assert fp["resultVariable"]["group"] == "output"
    assert fp["resultExpression"]["binding"]["key"] == "resultExpression"
    assert (fp["resultExpression"]["type"], fp["resultExpression"]["feel"]) == ("Text", "required")
    assert fp["errorExpression"]["binding"] == {
        "type": "zeebe:taskHeader",
        "key": "errorExpression",
    }
    assert (fp["errorExpression"]["group"], fp["errorExpression"]["feel"]) == ("error", "required")
    assert fp["retryCount"]["binding"] == {"type": "zeebe:taskDefinition", "property": "retries"}
    assert fp["retryCount"]["value"] == "3"
    assert fp["retryBackoff"]["binding"] == {"type": "zeebe:taskHeader", "key": "retryBackoff"}
    assert fp["retryBackoff"]["value"] == "PT0S"
    assert fp["jobTimeout"]["binding"] == {"type": "zeebe:taskHeader", "key": "jobTimeout"}
    assert fp["jobTimeout"]["optional"] is True
    assert {fp[i]["group"] for i in ("retryCount", "retryBackoff", "jobTimeout")} == {"retries"}


def test_hidden_template_id_and_version_headers(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["elementTemplateId"]["type"] == "Hidden"
    assert fp["elementTemplateId"]["value"] == "io.example.FeatureProbe.v1"
    assert fp["elementTemplateId"]["binding"] == {
        "type": "zeebe:taskHeader",
        "key": "elementTemplateId",
    }
    assert fp["elementTemplateVersion"]["value"] == "4"
    assert fp["elementTemplateVersion"]["binding"]["key"] == "elementTemplateVersion"


def test_nested_models_bind_dotted_names_with_aliases(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["endpoint.url"]["binding"] == {"type": "zeebe:input", "name": "endpoint.url"}
    assert fp["endpoint.timeoutSeconds"]["binding"]["name"] == "endpoint.timeoutSeconds"
    assert fp["endpoint.url"]["group"] == "endpoint"
    assert fp["endpoint.url"]["description"] == "Where to send it"


def test_types_and_feel_modes(fp: dict[str, dict[str, Any]]) -> None:
    expected = {
        "name": ("String", "optional"),
        "note": ("Text", "required"),
        "endpoint.timeoutSeconds": ("Number", "static"),
        "count": ("Number", "optional"),
        "enabled": ("Boolean", "static"),
        "tags": ("String", "required"),  # lists and maps: FEEL builds them
        "endpoint.headers": ("String", "required"),
        "payload": ("String", "required"),
        "mode": ("Dropdown", None),
        "kind": ("Hidden", None),
        "raw": ("String", None),  # feel="disabled": a plain text field
        "static_code": ("String", None),
    }
    for pid, (kind, feel) in expected.items():
        assert (fp[pid]["type"], fp[pid].get("feel")) == (kind, feel), pid


def test_values_from_defaults(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["endpoint.timeoutSeconds"]["value"] == 20
    assert fp["enabled"]["value"] is True
    assert fp["static_code"]["value"] == "abc"
    assert fp["mode"]["value"] == "safe"
    assert fp["labels"]["value"] == '={"team": "core"}'
    assert "value" not in fp["tags"]  # an empty list needs no expression
    assert fp["version_tag"] == {
        "id": "version_tag",
        "label": "Version tag",
        "type": "Hidden",
        "value": "v7",
        "binding": {"type": "zeebe:input", "name": "version_tag"},
    }


def test_required_optional_and_length_constraints(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["name"]["constraints"] == {"notEmpty": True, "minLength": 2, "maxLength": 20}
    assert "optional" not in fp["name"]
    assert fp["level"]["constraints"] == {"notEmpty": True}
    assert fp["ratio"]["optional"] is True
    assert "constraints" not in fp["ratio"]
    assert "optional" not in fp["enabled"]


def test_patterns_let_feel_and_secret_placeholders_through(fp: dict[str, dict[str, Any]]) -> None:
    url = fp["endpoint.url"]["constraints"]["pattern"]
    assert url["value"] == r"^=[\s\S]*|\{\{\s*secrets\.|(?:^https?://)"
    assert "^https?://" in url["message"]
    code = fp["code"]["constraints"]
    # Optional: empty is fine; named groups use JavaScript syntax.
    assert code["notEmpty"] is False
    assert code["pattern"]["value"] == r"^$|^=[\s\S]*|\{\{\s*secrets\.|(?:^(?<pre>[A-Z]{2})-\d+$)"
    # No FEEL for a static field: an expression would not be evaluated.
    assert fp["static_code"]["constraints"]["pattern"]["value"] == (
        r"^$|\{\{\s*secrets\.|(?:^[a-z]+$)"
    )


def test_choices_from_enum_literal_and_property(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["mode"]["choices"] == [
        {"name": "Fast lane", "value": "fast"},
        {"name": "Safe", "value": "safe"},
    ]
    assert fp["level"]["choices"] == [
        {"name": "low", "value": "low"},
        {"name": "high", "value": "high"},
    ]
    assert fp["region"]["choices"] == [
        {"name": "Europe", "value": "eu"},
        {"name": "United States", "value": "us"},
    ]
    assert fp["region"]["value"] == "eu"


def test_secrets_are_marked_with_a_placeholder(fp: dict[str, dict[str, Any]]) -> None:
    for pid in ("auth.password", "auth.token"):  # Property(secret=True) and SecretStr
        assert fp[pid]["secret"] is True
        assert fp[pid]["placeholder"] == "{{secrets.MY_SECRET}}"
    assert "secret" not in fp["auth.username"]
    assert fp["name"]["placeholder"] == "Ada"


def test_discriminated_union_becomes_dropdown_plus_conditions(
    fp: dict[str, dict[str, Any]],
) -> None:
    dropdown = fp["auth.type"]
    assert dropdown["type"] == "Dropdown"
    assert dropdown["binding"] == {"type": "zeebe:input", "name": "auth.type"}
    assert dropdown["label"] == "Authentication"
    assert dropdown["value"] == "none"  # from the default variant
    assert dropdown["choices"] == [
        {"name": "None", "value": "none"},  # model title
        {"name": "Basic", "value": "basic"},  # Property label on the Literal field
        {"name": "token", "value": "token"},
        {"name": "jwt", "value": "jwt"},
    ]
    assert fp["auth.password"]["condition"] == {
        "property": "auth.type",
        "equals": "basic",
        "type": "simple",
    }
    assert fp["auth.token"]["condition"] == {
        "property": "auth.type",
        "oneOf": ["token", "jwt"],
        "type": "simple",
    }
    assert fp["auth.password"]["group"] == "auth"  # inherited from the union field


def test_same_binding_in_two_variants_gets_distinct_ids(fp: dict[str, dict[str, Any]]) -> None:
    basic, token = fp["auth.username"], fp["auth.token.username"]
    assert basic["binding"] == token["binding"] == {"type": "zeebe:input", "name": "auth.username"}
    assert basic["constraints"] == {"notEmpty": True}
    assert token["optional"] is True
    assert basic["condition"]["equals"] == "basic"
    assert token["condition"]["oneOf"] == ["token", "jwt"]


def test_author_conditions_resolve_relative_then_absolute(fp: dict[str, dict[str, Any]]) -> None:
    # "method" inside Endpoint means endpoint.method
    assert fp["endpoint.body"]["condition"] == {
        "property": "endpoint.method",
        "equals": "POST",
        "type": "simple",
    }
    assert fp["strict"]["condition"] == {"property": "mode", "oneOf": ["fast"], "type": "simple"}
    assert fp["shown_when_region_active"]["condition"] == {
        "property": "region",
        "isActive": True,
        "type": "simple",
    }
    # Inside a variant: combined with the variant's condition, and the username of the
    # same variant is meant.
    assert fp["auth.audience"]["condition"] == {
        "allMatch": [
            {"property": "auth.type", "oneOf": ["token", "jwt"], "type": "simple"},
            {"property": "auth.token.username", "isEmpty": False, "type": "simple"},
        ]
    }


def test_extra_keys_are_copied(fp: dict[str, dict[str, Any]]) -> None:
    assert fp["raw"]["editable"] is True


def test_union_inside_variant_inside_nested_model() -> None:
    p = props(element_template(nested_unions))
    assert p["holder.node.kind"]["choices"] == [
        {"name": "leaf", "value": "leaf"},
        {"name": "branch", "value": "branch"},
    ]
    assert p["holder.node.value"]["condition"] == {
        "property": "holder.node.kind",
        "equals": "leaf",
        "type": "simple",
    }
    assert p["holder.node.inner.kind"]["condition"] == {
        "property": "holder.node.kind",
        "equals": "branch",
        "type": "simple",
    }
    twig_value = next(
        v
        for v in p.values()
        if v.get("binding", {}).get("name") == "holder.node.inner.value" and v["type"] == "Number"
    )
    assert twig_value["condition"] == {
        "allMatch": [
            {"property": "holder.node.kind", "equals": "branch", "type": "simple"},
            {"property": "holder.node.inner.kind", "equals": "twig", "type": "simple"},
        ]
    }


def test_connector_without_input_model_has_only_standard_properties() -> None:
    template = element_template(no_input)
    assert template["id"] == "test:no-input:1"  # derived from the job type
    assert [g["id"] for g in template["groups"]] == ["output", "error", "retries"]
    ids = [p.get("id") for p in template["properties"]]
    assert ids == [
        None,
        "elementTemplateVersion",
        "elementTemplateId",
        "resultVariable",
        "resultExpression",
        "errorExpression",
        "retryCount",
        "retryBackoff",
        "jobTimeout",
    ]


def test_icon_file_next_to_the_connector_is_inlined() -> None:
    template = element_template(plain)
    contents = template["icon"]["contents"]
    assert contents.startswith("data:image/svg+xml;base64,")
    raw = base64.b64decode(contents.split(",", 1)[1])
    assert raw == (Path(__file__).parent / "icon.svg").read_bytes()
    assert template["groups"][0]["id"] == "input"


def test_configuration_property_and_embedded_configuration_template() -> None:
    template = element_template(credentials)
    p = props(template)
    assert p["credential"] == {
        "id": "credential",
        "label": "Credential",
        "type": "Configuration",
        "optional": True,
        "group": "auth",
        "binding": {"type": "zeebe:input", "name": "credential"},
        "configurationTemplate": "io.example:credential:1",
    }
    assert template["engines"] == {"camunda": "^8.10"}  # configurations need 8.10
    [configuration] = template["configurationTemplates"]
    assert {k: configuration[k] for k in ("id", "kind", "version", "name", "description")} == {
        "id": "io.example:credential:1",
        "kind": "CREDENTIAL",
        "version": 2,
        "name": "Example credential",
        "description": "A reusable login",
    }
    inner = {q["id"]: q for q in configuration["properties"]}
    # Plain keys of the configuration value, no FEEL, no "optional".
    assert inner["auth.username"]["binding"] == {"type": "property", "name": "auth.username"}
    assert inner["realm"]["binding"] == {"type": "property", "name": "realm"}
    assert all("feel" not in q and "optional" not in q for q in inner.values())
    assert inner["auth.password"]["condition"] == {
        "property": "auth.type",
        "equals": "basic",
        "type": "simple",
    }
    # The inline fields hide once a configuration is chosen (outer Annotated refines).
    assert p["auth.type"]["condition"] == {
        "property": "credential",
        "isEmpty": True,
        "type": "simple",
    }
    assert p["auth.type"]["label"] == "Type"  # kept from the shared annotated type
    assert p["auth.username"]["condition"]["allMatch"][0]["property"] == "credential"


def test_echo_template() -> None:
    p = props(element_template(echo))
    assert p["sleep_ms"]["type"] == "Number"
    assert p["sleep_ms"]["value"] == 0
    assert p["fail_code"]["group"] == "behaviour"


# --- errors name the connector, the field and the reason ---------------------------------


class _A(BaseModel):
    kind: Literal["a"] = "a"


class _B(BaseModel):
    kind: Literal["b"] = "b"


class _Outside(BaseModel):
    kind: Annotated[Literal["out"], Property(label="Out", binding="mode")]
    value: str


class _Inside(BaseModel):
    kind: Annotated[Literal["in"], Property(label="In", binding="mode")]
    other: int = 1


def test_discriminator_bound_beside_the_union() -> None:
    """Property(binding=...) on the variants' tag moves the dropdown out of the union's object,
    as Camunda's e-mail template has ``protocol`` beside ``data``."""

    class M(BaseModel):
        data: Annotated[_Outside | _Inside, Field(discriminator="kind"), Property(label="Mode")]

    found = props(element_template(_connector(M)))
    assert found["mode"]["binding"] == {"type": "zeebe:input", "name": "mode"}
    assert [c["value"] for c in found["mode"]["choices"]] == ["out", "in"]
    assert "data.kind" not in found
    assert found["data.value"]["condition"] == {
        "property": "mode",
        "equals": "out",
        "type": "simple",
    }
    assert found["data.other"]["condition"]["equals"] == "in"


def test_error_variants_bind_their_discriminator_differently() -> None:
    class Other(BaseModel):
        kind: Annotated[Literal["x"], Property(binding="elsewhere")]

    class M(BaseModel):
        data: Annotated[_Outside | Other, Field(discriminator="kind")]

    assert "M.data: variants disagree on the discriminator's binding" in _error(M)


def _connector(model: type[BaseModel], **options: Any) -> Any:
    def run(data: Any) -> dict[str, Any]:
        return {}

    run.__annotations__ = {"data": model, "return": dict[str, Any]}
    return outbound_connector(name="Bad", type="test:bad:1", **options)(run)


def _error(model: type[BaseModel], **options: Any) -> str:
    with pytest.raises(TemplateError) as info:
        element_template(_connector(model, **options))
    message = str(info.value)
    assert message.startswith("connector 'test:bad:1': ")
    return message


def test_error_union_without_discriminator() -> None:
    class M(BaseModel):
        choice: _A | _B

    assert "M.choice: a union of models needs Field(discriminator=" in _error(M)


def test_error_feel_on_dropdown() -> None:
    class M(BaseModel):
        level: Annotated[Literal["x", "y"], Property(feel="optional")]

    assert "M.level: a Dropdown property cannot take FEEL ('optional')" in _error(M)


def test_error_condition_on_unknown_input() -> None:
    class M(BaseModel):
        a: Annotated[str, Property(condition=Condition("nope", equals="x"))]

    assert "M.a: condition refers to 'nope', which is not an input" in _error(M)


def test_error_condition_with_two_tests() -> None:
    class M(BaseModel):
        b: str = ""
        a: Annotated[str, Property(condition=Condition("b", equals="x", is_empty=True))]

    assert "must set exactly one of equals, one_of, is_active, is_empty" in _error(M)


def test_error_declared_group_unused() -> None:
    class M(BaseModel):
        a: Annotated[str, Property(group="typo")]

    message = _error(M, groups=(Group("endpoint", "Endpoint"),))
    assert "group 'endpoint' is declared but no input uses it" in message


def test_error_reserved_group() -> None:
    class M(BaseModel):
        a: Annotated[str, Property(group="output")]

    assert "reserved" in _error(M, groups=(Group("output", "Mine"),))


def test_error_default_not_a_choice() -> None:
    class M(BaseModel):
        level: Annotated[Literal["x", "y"], Property(value="z")] = "x"

    assert "M.level: default 'z' is not one of the choices" in _error(M)


def test_error_bad_documentation_url() -> None:
    class M(BaseModel):
        a: str

    assert "documentation_url must be an http(s) URL" in _error(M, documentation_url="docs")


def test_error_missing_icon_file() -> None:
    class M(BaseModel):
        a: str

    assert "icon 'missing.svg': no such file" in _error(M, icon="missing.svg")


def test_error_recursive_model() -> None:
    class Node(BaseModel):
        child: Node | None = None

    Node.model_rebuild()

    class M(BaseModel):
        root: Node

    assert "recursive model Node" in _error(M)


def test_error_placeholder_on_number() -> None:
    class M(BaseModel):
        n: Annotated[int, Property(placeholder="42")]

    assert "M.n: a placeholder needs type String or Text" in _error(M)


def test_error_hidden_without_value() -> None:
    class M(BaseModel):
        flag: Annotated[str | None, Property(type="Hidden")] = None

    assert "M.flag: a Hidden property needs a value" in _error(M)


def test_error_configuration_on_a_plain_field() -> None:
    from connectors.sdk import Configuration

    class M(BaseModel):
        token: Annotated[str, Property(configuration=Configuration("c", "C"))]

    assert "M.token: a Configuration needs a model-typed field" in _error(M)


def test_error_input_clashing_with_a_standard_property() -> None:
    class M(BaseModel):
        result_variable: Annotated[str, Field(alias="resultVariable")]

    assert "property id 'resultVariable' is used twice" in _error(M)
