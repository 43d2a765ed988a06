"""The event a consumed message becomes, and the acknowledgement decided for each correlation
result, without a broker.

Facts (camunda/connectors): ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/
inbound/RabbitMqConsumer.java`` (``prepareVariables``: JSON bodies parsed, a JSON number as a
double, other JSON scalars as their text, other text as is; ``handleCorrelationResult``),
``inbound/AMQPPropertyUtil.java`` (long-string headers as text) and
``connector-sdk/core/src/main/java/io/camunda/connector/api/inbound/CorrelationResult.java``
(the failure handling strategy of each result).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.rabbitmq.inbound import decide
from connectors.rabbitmq.inbound_message import header_value, java_timestamp, parse_body
from connectors.rabbitmq.inbound_models import RabbitMqInboundProperties
from connectors.sdk.inbound import (
    ActivationConditionNotMet,
    AlreadyCorrelated,
    Correlated,
    CorrelationFailed,
    InboundElement,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": 1, "b": [true, null]}', {"a": 1, "b": [True, None]}),
        (b"[1, 2]", [1, 2]),
        (b"12", 12.0),
        (b"1.5", 1.5),
        (b"true", True),
        (b'"quoted"', "quoted"),
        (b"null", "null"),
        (b"plain text", "plain text"),
        (b"", ""),
        (b"NaN", "NaN"),
        (b'{"a": 1} trailing', {"a": 1}),
        ("grüße".encode(), "grüße"),
    ],
)
def test_the_body_is_what_camundas_consumer_makes_of_it(body: bytes, expected: Any) -> None:
    value = parse_body(body)
    assert value == expected and type(value) is type(expected)


def test_header_values_and_timestamps_as_jackson_writes_them() -> None:
    assert header_value({"s": b"text", "n": 5, "l": [b"a", 1], "raw": b"\xff\x00"}) == {
        "s": "text",
        "n": 5,
        "l": ["a", 1],
        "raw": "/wA=",
    }
    stamp = dt.datetime(2026, 12, 3, 1, 2, 3, 456789, tzinfo=dt.UTC)
    assert java_timestamp(stamp) == "2026-12-03T01:02:03.456+00:00"


ELEMENT = InboundElement("p", 1, 1, "e", "start_event")


@pytest.mark.parametrize(
    ("result", "decision"),
    [
        (Correlated(ELEMENT, "instance_created", "<default>", process_instance_key=1), "ack"),
        (AlreadyCorrelated(ELEMENT, "m-1"), "ack"),
        (ActivationConditionNotMet(consume=True), "ack"),
        (ActivationConditionNotMet(consume=False), "drop"),
        (CorrelationFailed("INVALID_INPUT", "bad expression"), "drop"),
        (CorrelationFailed("ENGINE", "unavailable", status="UNAVAILABLE"), "requeue"),
        (CorrelationFailed("OTHER", "boom"), "requeue"),
    ],
)
def test_each_correlation_result_is_acked_dropped_or_requeued(result: Any, decision: str) -> None:
    expected = {"ack": ("ack", False), "drop": ("reject", False), "requeue": ("reject", True)}
    assert decide(result) == expected[decision]


def test_properties_bind_as_the_templates_write_them() -> None:
    props = RabbitMqInboundProperties.model_validate(
        {
            "authentication": {"authType": "credentials", "userName": "u", "password": "s3cr3t"},
            "routing": {"hostName": "h", "port": "5672", "virtualHost": "/"},
            "queueName": "q",
            "consumerTag": "",
            "arguments": "",
            "exclusive": "true",
        }
    )
    assert (props.consumer_tag, props.arguments, props.exclusive) == (None, None, True)
    assert props.routing_field_errors() == []
    assert "s3cr3t" not in repr(props.authentication)
    with pytest.raises(ValidationError) as info:
        RabbitMqInboundProperties.model_validate(
            {"authentication": {"authType": "uri", "uri": "http://x"}, "queueName": " "}
        )
    text = str(info.value)
    assert "queueName" in text and "must not be blank" in text
    assert "Must start with amqp(s)://" in text
    missing = RabbitMqInboundProperties.model_validate(
        {
            "authentication": {"authType": "credentials", "userName": "u", "password": "p"},
            "queueName": "q",
        }
    )
    assert [e.path for e in missing.routing_field_errors()] == [
        "routing.hostName",
        "routing.port",
        "routing.virtualHost",
    ]


def test_feel_values_are_evaluated_before_they_are_checked() -> None:
    def evaluate(expression: str) -> Any:
        return {"=5672": 5672, '={"x-priority": 5}': {"x-priority": 5}, "=true": True}[expression]

    props = RabbitMqInboundProperties.model_validate(
        {
            "authentication": {"authType": "credentials", "userName": "u", "password": "p"},
            "routing": {"hostName": "h", "port": "=5672", "virtualHost": "/"},
            "queueName": "q",
            "arguments": '={"x-priority": 5}',
            "exclusive": "=true",
        },
        context={"evaluate": evaluate},
    )
    assert (props.routing.port, props.arguments, props.exclusive) == (
        "5672",
        {"x-priority": 5},
        True,
    )
