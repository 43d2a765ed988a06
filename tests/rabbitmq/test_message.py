"""Body bytes and AMQP properties as Camunda's connector builds them, without a broker.

Facts: camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/
outbound/MessageUtil.java`` (body), ``ValidationPropertiesUtil.java`` (property names) and the
cases in ``connectors/rabbitmq/src/test/java/.../outbound/RabbitMqMessageTest.java`` and
``src/test/resources/requests/outbound/*.json``; Jackson's ``MissingNode`` is written as null
(FasterXML/jackson-databind ``node/MissingNode.java``).
"""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from pamqp import decode

from connectors.rabbitmq import javajson
from connectors.rabbitmq.errors import InvalidMessageError, UnsupportedPropertyError
from connectors.rabbitmq.message import OutboundProperties, amqp_properties, body_bytes

# -- body -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        # RabbitMqMessageTest: JSON text is re-written compactly (whitespace, newlines gone)
        ('{"key": "value"}', b'{"key":"value"}'),
        ('{\n "key":\n "value"} \n ', b'{"key":"value"}'),
        ('{"key": -1}', b'{"key":-1}'),
        ('{"key": 0.369}', b'{"key":0.369}'),
        ("simple text", b"simple text"),
        # success-test-cases-*.json: not JSON (trailing comma, bare keys) -> sent as given
        ("[1,3,4,]", b"[1,3,4,]"),
        ("{14:-23}", b"{14:-23}"),
        # JSON scalars are value nodes: the text goes out unchanged
        ("true", b"true"),
        ("123", b"123"),
        ('"quoted"', b'"quoted"'),
        ("null", b"null"),
        # Jackson reads the first value and ignores what follows it
        ("[1, 2] and more", b"[1,2]"),
        # empty text is Jackson's MissingNode, written as null
        ("", b"null"),
        (" \n", b"null"),
        # NaN is not JSON for Jackson
        ("[NaN]", b"[NaN]"),
        ("Grüße “quoted”", "Grüße “quoted”".encode()),
    ],
)
def test_string_bodies(body: str, sent: bytes) -> None:
    assert body_bytes(body) == sent


def test_non_string_bodies_are_written_as_jackson_writes_json() -> None:
    body = {
        "text": 'a "quoted" value',  # RabbitMqMessageTest: quotes escaped, not dropped
        "n": 1,
        "big": 12345678901234567890,
        "x": 1.5,
        "large": 12345678.9,
        "small": 0.0001,
        "whole": 1e7,
        "nested": [True, None, {"k": "ü"}],
        "ctrl": "\x01\n",
    }
    assert body_bytes(body) == (
        b'{"text":"a \\"quoted\\" value","n":1,"big":12345678901234567890,"x":1.5,'
        b'"large":1.23456789E7,"small":1.0E-4,"whole":1.0E7,'
        b'"nested":[true,null,{"k":"\xc3\xbc"}],"ctrl":"\\u0001\\n"}'
    )
    assert body_bytes(42) == b"42"
    assert body_bytes(2.5) == b"2.5"
    assert body_bytes(False) == b"false"
    assert body_bytes([1, "a"]) == b'[1,"a"]'


def test_a_json_text_with_floats_is_rewritten_with_java_number_formatting() -> None:
    assert (
        body_bytes('{"a": 1e3, "b": 12345678.5, "c": -0.0}')
        == b'{"a":1000.0,"b":1.23456785E7,"c":-0.0}'
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0"),
        (1.0, "1.0"),
        (0.001, "0.001"),
        (0.000999, "9.99E-4"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (-1.25e-10, "-1.25E-10"),
        (1e21, "1.0E21"),
        (123456789012.0, "1.23456789012E11"),
        (float("inf"), "Infinity"),
    ],
)
def test_java_double_to_string(value: float, text: str) -> None:
    assert javajson.java_double(value) == text


def test_a_lone_surrogate_is_sent_as_a_question_mark_like_java() -> None:
    assert body_bytes("a\ud800b") == b"a?b"


# -- properties -----------------------------------------------------------------------------


def _wire(properties: OutboundProperties) -> dict[str, object]:
    """Marshal and decode the properties as a consumer's client would."""
    from pamqp import commands

    decoded = commands.Basic.Properties()
    data = properties.marshal()
    (flags,) = struct.unpack(">H", data[:2])
    decoded.unmarshal(flags, data[2:])
    return {name: getattr(decoded, name) for name in decoded.__slots__ if getattr(decoded, name)}


def test_every_basic_property_is_mapped() -> None:
    properties = amqp_properties(
        {
            "contentType": "application/json",
            "contentEncoding": "UTF-8",
            "headers": {"h": "v"},
            "deliveryMode": 2,
            "priority": 9,
            "correlationId": "c-1",
            "replyTo": "answers",
            "expiration": "60000",
            "messageId": "m-1",
            "timestamp": 1700000000999,
            "type": "order.created",
            "userId": "guest",
            "appId": "switchboard",
            "clusterId": "cluster-a",
        }
    )
    assert _wire(properties) == {
        "content_type": "application/json",
        "content_encoding": "UTF-8",
        "headers": {"h": "v"},
        "delivery_mode": 2,
        "priority": 9,
        "correlation_id": "c-1",
        "reply_to": "answers",
        "expiration": "60000",
        "message_id": "m-1",
        "timestamp": dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC),
        "message_type": "order.created",
        "user_id": "guest",
        "app_id": "switchboard",
        "cluster_id": "cluster-a",
    }


@pytest.mark.parametrize("given", [None, {}])
def test_no_properties_send_none(given: object) -> None:
    assert amqp_properties(given).marshal() == b"\x00\x00"  # no flag set, as Java's null


def test_a_message_id_aiormq_assigns_is_not_sent() -> None:
    properties = amqp_properties({"contentType": "text/plain"})
    properties.message_id = "assigned-by-aiormq"  # what aiormq's basic_publish does
    assert "message_id" not in _wire(properties)
    assert _wire(amqp_properties({"messageId": "mine"}))["message_id"] == "mine"


@pytest.mark.parametrize(
    "properties",
    [
        # fail-test-cases-properties-object-validation.json / bad-message-properties.json
        {"contentTypes": "Wrong Field name", "contentEncoding": "UTF-8"},
        {"contentType": "json", "Encoding": "UTF-8"},
        {"contentType": "json", "myHeaders": {}},
        {"contentType": "json", "properties": "UTF-8"},
        {"wrongField": "text/plan", "headers": {"key": "value"}},
    ],
)
def test_unsupported_fields_are_refused_with_camundas_message(properties: dict) -> None:
    with pytest.raises(
        UnsupportedPropertyError, match=r"^Unsupported field \[\w+\] for properties$"
    ):
        amqp_properties(properties)


def test_jackson_coercions() -> None:
    """Scalars into String fields, numbers and numeric text into Integer fields (floats
    truncated), one-element arrays unwrapped (UNWRAP_SINGLE_VALUE_ARRAYS)."""
    wire = _wire(
        amqp_properties(
            {
                "appId": 123456,  # fail-test-cases-properties-object-validation.json uses this
                "correlationId": 1.5e7,
                "type": True,
                "priority": "7",
                "deliveryMode": 2.9,
                "replyTo": ["inbox"],
                "expiration": 60000,
            }
        )
    )
    assert wire["app_id"] == "123456"
    assert wire["correlation_id"] == "1.5E7"
    assert wire["message_type"] == "true"
    assert wire["priority"] == 7
    assert wire["delivery_mode"] == 2
    assert wire["reply_to"] == "inbox"
    assert wire["expiration"] == "60000"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (1700000000999, 1700000000),
        ("1700000000999", 1700000000),
        ("2024-05-01T10:20:30.999Z", 1714558830),
        ("2024-05-01T12:20:30+02:00", 1714558830),
        ("2024-05-01", 1714521600),
        ("Wed, 01 May 2024 10:20:30 GMT", 1714558830),
        (-1500, -1),  # Java's long division truncates toward zero
    ],
)
def test_timestamps(value: object, seconds: int) -> None:
    data = amqp_properties({"timestamp": value}).marshal()
    assert struct.unpack(">q", data[2:]) == (seconds,)


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"deliveryMode": 3}, "message.properties.deliveryMode: must be 1 (non-persistent) or 2"),
        ({"deliveryMode": "fast"}, "message.properties.deliveryMode: must be a whole number"),
        ({"priority": 256}, "message.properties.priority: must be between 0 and 255"),
        ({"priority": True}, "message.properties.priority: must be a whole number, got a boolean"),
        ({"contentType": {"a": 1}}, "message.properties.contentType: expected a text"),
        ({"messageId": "x" * 256}, "message.properties.messageId: must be at most 255 bytes"),
        ({"headers": "h=v"}, "message.properties.headers: must be an object, got a text"),
        ({"headers": {"n": 2**64}}, "message.properties.headers.n: integers beyond 64 bits"),
        ({"timestamp": 1.5}, "message.properties.timestamp: must be epoch milliseconds"),
        ({"timestamp": "yesterday"}, "message.properties.timestamp: must be epoch milliseconds"),
        ("contentType=x", "message.properties must be an object (a FEEL context), got a text"),
    ],
)
def test_invalid_values_name_the_property_and_never_quote_it(
    properties: object, message: str
) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        amqp_properties(properties)
    assert str(caught.value).startswith(message)
    assert "fast" not in str(caught.value) and "h=v" not in str(caught.value)


def test_header_values_use_the_java_clients_wire_types() -> None:
    """com.rabbitmq.client.impl.ValueWriter: Integer 'I', Long 'l', Double 'd', String 'S',
    Boolean 't', Map 'F', List 'A', null 'V' (pamqp alone would send 5 as 'b' and 0.1 as a
    32-bit 'f')."""
    headers = {
        "i": 5,
        "l": 2**40,
        "d": 0.1,
        "s": "ü",
        "t": True,
        "f": {"x": 1},
        "a": [1],
        "v": None,
    }
    data = amqp_properties({"headers": headers}).marshal()
    table = data[2:]
    assert table == (
        struct.pack(">I", len(table) - 4)
        + b"\x01iI"
        + struct.pack(">i", 5)
        + b"\x01ll"
        + struct.pack(">q", 2**40)
        + b"\x01dd"
        + struct.pack(">d", 0.1)
        + b"\x01sS"
        + struct.pack(">I", 2)
        + "ü".encode()
        + b"\x01tt\x01"
        + b"\x01fF"
        + struct.pack(">I", 7)
        + b"\x01xI"
        + struct.pack(">i", 1)
        + b"\x01aA"
        + struct.pack(">I", 5)
        + b"I"
        + struct.pack(">i", 1)
        + b"\x01vV"
    )
    _, decoded = decode.field_table(table)
    assert decoded == headers
