"""What a consumed message looks like to activation conditions, correlation keys and result
expressions: ``{"message": {"consumerTag", "body", "properties"}}``.

Facts: camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/``
``inbound/RabbitMqConsumer.java`` (``prepareVariables``: the body decoded as UTF-8; when it
parses as JSON, a JSON object or array is used as is, a JSON boolean as a boolean, a JSON
number as a double, any other JSON scalar (a string, ``null``) as its text; otherwise the
text itself), ``inbound/AMQPPropertyUtil.java`` and ``inbound/model/RabbitMqMessageProperties``
(the AMQP basic properties, absent ones left out, long-string header values as text) and
``model/RabbitMqInboundResult.java``. Jackson's mapper (``ConnectorsObjectMapperSupplier``)
writes the timestamp as an ISO-8601 text (``WRITE_DATES_AS_TIMESTAMPS`` disabled) and reads
a leading JSON value even with trailing text (``FAIL_ON_TRAILING_TOKENS`` off).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Mapping
from typing import Any

_DECODER = json.JSONDecoder(parse_constant=lambda name: _refuse(name))
_NOT_JSON = object()


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Jackson refuses NaN and Infinity


def parse_body(body: bytes) -> Any:
    """The message body as Camunda's consumer hands it to the runtime."""
    text = body.decode("utf-8", errors="replace")
    value = _leading_json(text)
    if value is _NOT_JSON:
        return text
    if isinstance(value, dict | list):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)  # ValueNode.asDouble()
    if value is None:
        return "null"  # NullNode.asText()
    return str(value)


def _leading_json(text: str) -> Any:
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return _NOT_JSON
    try:
        value, _ = _DECODER.raw_decode(stripped)
    except ValueError:
        return _NOT_JSON
    return value


def java_timestamp(value: dt.datetime) -> str:
    """``java.util.Date`` as Jackson's ``StdDateFormat`` writes it: milliseconds, UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def header_value(value: Any) -> Any:
    """An AMQP field-table value as JSON (long strings as text, byte arrays as Base64, as
    Jackson writes a ``byte[]``)."""
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(raw).decode("ascii")
    if isinstance(value, list | tuple):
        return [header_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): header_value(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return java_timestamp(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def message_properties(message: Any) -> dict[str, Any]:
    """The AMQP basic properties of an aio-pika ``IncomingMessage``, absent ones left out,
    named as Camunda's ``RabbitMqMessageProperties``."""
    expiration = message.expiration
    if expiration is not None:
        # aio-pika decodes the text (milliseconds) into seconds; Camunda passes the text.
        seconds = expiration.total_seconds() if isinstance(expiration, dt.timedelta) else expiration
        expiration = str(round(float(seconds) * 1000))
    delivery_mode = message.delivery_mode
    values: dict[str, Any] = {
        "contentType": message.content_type,
        "contentEncoding": message.content_encoding,
        "headers": header_value(dict(message.headers)) if message.headers else None,
        "deliveryMode": int(delivery_mode) if delivery_mode is not None else None,
        "priority": message.priority,
        "correlationId": message.correlation_id,
        "replyTo": message.reply_to,
        "expiration": expiration,
        "messageId": message.message_id,
        "timestamp": java_timestamp(message.timestamp) if message.timestamp else None,
        "type": message.type,
        "userId": message.user_id,
        "appId": message.app_id,
        # aio-pika reports an absent cluster id as "" (the Java client: null).
        "clusterId": getattr(message, "cluster_id", None) or None,
    }
    return {k: v for k, v in values.items() if v is not None}


def message_variables(message: Any) -> dict[str, Any]:
    """``{"message": {"consumerTag", "body", "properties"}}`` for one delivery."""
    return {
        "message": {
            "consumerTag": message.consumer_tag,
            "body": parse_body(message.body),
            "properties": message_properties(message),
        }
    }
