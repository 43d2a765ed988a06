"""The modeler stand-in applies Camunda's official templates as the Camunda Modeler does, so
connector tests can shape jobs exactly as a modelled process would (tests/support/modeler.py).
"""

from __future__ import annotations

import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto import gateway_pb2 as pb

from tests.support.gateway import TestGateway
from tests.support.modeler import apply_template
from tests.templates.official import official_template
from tests.zeebe.conftest import activate
from tests.zeebe.conftest import adapter as adapter
from tests.zeebe.conftest import gateway as gateway

HTTP_JSON = "io.camunda.connectors.HttpJson.v2"


def test_hidden_bindings_defaults_and_conditions() -> None:
    applied = apply_template(
        official_template(HTTP_JSON),
        {
            "method": "POST",
            "url": "http://127.0.0.1:9/x",
            "authentication.type": "basic",
            "authentication.username": "{{secrets.USER}}",
            "authentication.password": "{{secrets.PASSWORD}}",
            "body": '{"a": 1}',
            "headers": '{"X-Trace": "1"}',
            "resultVariable": "out",
        },
    )
    inputs = dict((target, source) for source, target in applied.inputs)
    assert applied.job_type == "io.camunda:http-json:1"
    assert inputs["method"] == "POST"
    assert inputs["authentication.type"] == "basic"
    assert inputs["authentication.password"] == "{{secrets.PASSWORD}}"
    # feel: required properties get the "=" prefix.
    assert inputs["headers"] == '={"X-Trace": "1"}'
    assert inputs["body"] == '{"a": 1}'
    # Bearer's token belongs to an inactive variant: not written at all.
    assert "authentication.token" not in inputs
    assert applied.headers["resultVariable"] == "out"
    assert applied.headers["elementTemplateId"] == HTTP_JSON
    assert applied.headers["retryBackoff"]  # the template's default


def test_an_unknown_condition_is_refused() -> None:
    template = {
        "id": "t",
        "properties": [
            {
                "type": "Hidden",
                "value": "x:1",
                "binding": {"type": "zeebe:taskDefinition", "property": "type"},
            },
            {"id": "a", "binding": {"type": "zeebe:input", "name": "a"}, "value": "1"},
            {
                "id": "b",
                "binding": {"type": "zeebe:input", "name": "b"},
                "value": "2",
                "condition": {"property": "a", "matches": "1"},
            },
        ],
    }
    with pytest.raises(ValueError, match="unknown template condition"):
        apply_template(template, {})


async def test_the_gateway_maps_the_written_inputs_into_job_variables(
    gateway: TestGateway,
    adapter: ZeebeAdapter,
) -> None:
    applied = apply_template(
        official_template(HTTP_JSON),
        {"method": "GET", "url": "http://127.0.0.1:9/x", "readTimeoutInSeconds": "5"},
    )
    await adapter._gateway_stub.DeployResource(
        pb.DeployResourceRequest(
            resources=[pb.Resource(name="p.bpmn", content=applied.bpmn("modelled"))]
        )
    )
    await adapter.create_process_instance("modelled", -1, {})
    [job] = await activate(adapter, "io.camunda:http-json:1")
    assert job.variables["method"] == "GET"
    assert job.variables["url"] == "http://127.0.0.1:9/x"
    assert job.variables["authentication"] == {"type": "noAuth"}
    assert job.custom_headers["elementTemplateId"] == HTTP_JSON
