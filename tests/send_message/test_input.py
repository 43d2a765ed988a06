"""Binding of the Send Message inputs as Camunda's ``SendMessageRequest`` reads them
(camunda/connectors ``connectors/camunda-message/src/main/java/io/camunda/connector/message/
SendMessageRequest.java``: ``@NotBlank messageName``, ``java.time.Duration`` time to live and
request timeout, the ``correlationType`` union on ``type``), through the real runtime: bad
input fails with retries 0 and names the field, never reaching the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import grpc
import pytest
from pyzeebe.grpc_internals.zeebe_adapter import ZeebeAdapter
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from app.engines.camunda_rest.process_commands import RestProcessCommands
from app.engines.zeebe.process_commands import ZeebeProcessCommands
from app.runtime.executor import ConnectorRuntime
from app.runtime.messaging import EngineMessageSender
from app.runtime.model import Complete, Fail, Job
from app.settings import load_settings
from connectors.sdk import MessageToSend, bind
from connectors.send_message import TYPE, message_of, send_message
from connectors.send_message.models import SendMessageInput, parse_duration
from tests.send_message.conftest import waiting_receiver
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway


@pytest.fixture
async def engine(gateway: TestGateway, rest: CamundaRestStandIn) -> AsyncIterator[Any]:
    """The real message capability: publish over gRPC to the test gateway, correlate over
    HTTP to the REST stand-in."""
    channel = grpc.aio.insecure_channel(gateway.address)
    settings = load_settings(_env_file=None, camunda_rest_address=rest.address)
    correlator = RestProcessCommands.from_settings(settings)
    yield EngineMessageSender(ZeebeProcessCommands(GatewayStub(channel), 5.0), correlator)
    await correlator.aclose()
    await channel.close()


async def run(
    variables: dict[str, Any], sender: Any = None, headers: dict[str, str] | None = None
) -> Any:
    runtime = ConnectorRuntime({TYPE: send_message})
    try:
        job = Job.create(TYPE, variables, retries=3, custom_headers=headers or {})
        result = await runtime.execute(job, source="rest", messages=sender)
    finally:
        runtime.close()
    return result.outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H", timedelta(hours=1)),
        ("pt10s", timedelta(seconds=10)),
        ("P2DT3M", timedelta(days=2, minutes=3)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1,25S", timedelta(seconds=1.25)),
        ("-PT1S", timedelta(seconds=-1)),
    ],
)
def test_durations_as_java_parses_them(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "1H", "PT1X", "P1Y", "PT1.5M"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_duration(text)


def test_the_message_the_engine_gets() -> None:
    data = bind(
        SendMessageInput,
        {
            "messageName": "paid",
            "correlationKey": 42,  # Jackson coerces a number into the String
            "variables": '{"a": 1}',
            "tenantId": "acme",
            "requestTimeout": "PT5S",
            "correlationType": {"type": "publish", "timeToLive": 90, "messageId": ""},
        },
    )
    assert message_of(data) == MessageToSend(
        name="paid",
        correlation_key="42",
        variables={"a": 1},
        message_id="",
        time_to_live_ms=90_000,
        tenant_id="acme",
        request_timeout_ms=5_000,
    )


def test_without_a_mode_it_publishes_and_empty_durations_are_absent() -> None:
    data = bind(SendMessageInput, {"messageName": "go"})
    assert data.correlation_type.type == "publish"
    data = bind(
        SendMessageInput,
        {
            "messageName": "go",
            "requestTimeout": "",
            "correlationType": {"type": "publish", "timeToLive": ""},
        },
    )
    message = message_of(data)
    assert (message.time_to_live_ms, message.request_timeout_ms) == (None, None)


async def test_correlate_sends_no_ttl_or_id(
    engine: Any, adapter: ZeebeAdapter, rest: CamundaRestStandIn
) -> None:
    await waiting_receiver(adapter, "o-1")
    outcome = await run(
        {
            "messageName": "paid",
            "correlationKey": "o-1",
            "correlationType": {"type": "correlate", "messageId": "x", "timeToLive": "PT1S"},
        },
        engine,
    )
    assert isinstance(outcome, Complete), outcome
    (call,) = rest.calls_to("POST", "/v2/messages/correlation")
    assert call.body == {"name": "paid", "correlationKey": "o-1", "variables": {}}


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"messageName": "  "}, "messageName"),
        ({}, "messageName"),
        ({"messageName": "m", "variables": "[1]"}, "variables"),
        ({"messageName": "m", "variables": "not json"}, "variables"),
        (
            {"messageName": "m", "correlationType": {"type": "publish", "timeToLive": "1h"}},
            "timeToLive",
        ),
        (
            {"messageName": "m", "correlationType": {"type": "publish", "timeToLive": "-PT1S"}},
            "timeToLive",
        ),
        ({"messageName": "m", "correlationType": {"type": "buffer"}}, "correlationType"),
        ({"messageName": "m", "correlationType": {"timeToLive": "PT1S"}}, "correlationType.type"),
        ({"messageName": "m", "requestTimeout": True}, "requestTimeout"),
    ],
)
async def test_bad_input_fails_with_retries_0_naming_the_field(
    variables: dict[str, Any], field: str, engine: Any, gateway: TestGateway
) -> None:
    outcome = await run(variables, engine)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert field in outcome.message
    assert gateway.messages == []  # never reached the engine


async def test_with_no_engine_it_is_an_input_error() -> None:
    outcome = await run({"messageName": "m"}, None)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "ZEEBE_ADDRESS" in outcome.message


async def test_the_tenant_and_a_number_key_reach_the_engine(
    engine: Any, gateway: TestGateway
) -> None:
    outcome = await run(
        {"messageName": "m", "correlationKey": 7, "tenantId": "acme", "requestTimeout": "PT3S"},
        engine,
        {"resultExpression": "={tenant: tenantId}"},
    )
    assert isinstance(outcome, Complete), outcome
    request = gateway.messages[-1]
    assert (request.correlationKey, request.tenantId) == ("7", "acme")
    assert outcome.variables == {"tenant": "acme"}


def test_a_message_repr_never_shows_its_payload() -> None:
    message = MessageToSend("m", variables={"token": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(message) and "s3cr3t-value" not in str(message)


def test_the_shipped_examples_bind() -> None:
    for example in send_message.examples:
        bind(SendMessageInput, example.variables)
