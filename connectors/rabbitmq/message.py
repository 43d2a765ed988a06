"""Turn ``message.body`` and ``message.properties`` into the AMQP body and properties that
Camunda's connector publishes.

Facts (camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/
outbound/MessageUtil.java`` and ``ValidationPropertiesUtil.java``):

- The body: a string that parses as a JSON object or array is re-written as compact JSON;
  any other string (plain text, or a JSON number, boolean, string or null) is sent as it is;
  a non-string value (a FEEL context, list, number...) is written as JSON. Text is UTF-8.
- The properties: a JSON object whose keys must be fields of the Java client's
  ``AMQP.BasicProperties`` (else ``Unsupported field [key] for properties``), converted by
  Jackson: scalars become the String fields, numbers the Integer ones, ``timestamp`` a
  ``java.util.Date`` (epoch milliseconds or a date text). The Java client then writes header
  values with its own types (``I`` for int, ``l`` for long, ``d`` for double...).

Both are computed before any connection is opened, so bad input never reaches the broker.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import struct
from collections.abc import Mapping
from typing import Any

from pamqp import commands

from connectors.rabbitmq import javajson
from connectors.rabbitmq.errors import InvalidMessageError, UnsupportedPropertyError

# AMQP.BasicProperties field name -> pamqp attribute, in the protocol's order.
PROPERTY_ATTRIBUTES: dict[str, str] = {
    "contentType": "content_type",
    "contentEncoding": "content_encoding",
    "headers": "headers",
    "deliveryMode": "delivery_mode",
    "priority": "priority",
    "correlationId": "correlation_id",
    "replyTo": "reply_to",
    "expiration": "expiration",
    "messageId": "message_id",
    "timestamp": "timestamp",
    "type": "message_type",
    "userId": "user_id",
    "appId": "app_id",
    "clusterId": "cluster_id",
}
_INTEGER_PROPERTIES = frozenset({"deliveryMode", "priority"})
_JAVA_INT = (-(2**31), 2**31 - 1)
_JAVA_LONG = (-(2**63), 2**63 - 1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_DIGITS = re.compile(r"-?\d+")
SHORTSTR_MAX_BYTES = 255


class OutboundProperties(commands.Basic.Properties):
    """``Basic.Properties`` written the way the Java client writes them.

    - Header tables use the Java client's value types (pamqp would pick the smallest integer
      type and a 32-bit float, so ``0.1`` would arrive as ``0.10000000149``).
    - ``timestamp`` may be before 1970 (a signed 64-bit number of seconds).
    - ``clusterId`` is sent when given (pamqp refuses it as deprecated; Java sends it).
    - No ``messageId`` is added when none is given (aiormq adds a random one for its own
      bookkeeping of returned messages; this connector publishes with ``mandatory=false``).
    """

    def __init__(self, **values: Any) -> None:
        super().__init__()  # validation of the empty object passes; values are checked here
        for name, value in values.items():
            setattr(self, name, value)
        self._caller_message_id: str | None = values.get("message_id")

    def validate(self) -> None:
        """Values are checked by :func:`amqp_properties` before they get here."""

    def marshal(self) -> bytes:
        # aiormq may have set a random message_id on this object; send only the caller's.
        assigned = self.message_id
        self.message_id = self._caller_message_id  # type: ignore[assignment]
        try:
            return super().marshal()
        finally:
            self.message_id = assigned

    def encode_property(self, name: str, value: Any) -> bytes:
        if name == "headers":
            return _java_table(value)
        if name == "timestamp":
            return struct.pack(">q", (value - _EPOCH) // dt.timedelta(seconds=1))
        return super().encode_property(name, value)


def body_bytes(body: Any) -> bytes:
    """The bytes Camunda's connector publishes for ``message.body``."""
    if isinstance(body, str):
        try:
            parsed = javajson.loads_first(body)
        except javajson.NotJson:
            return _utf8(body)  # plain text
        if parsed is javajson.MISSING:
            return b"null"  # Jackson writes its MissingNode (empty text) as null
        if not isinstance(parsed, dict | list):
            return _utf8(body)  # a JSON scalar: the text as given
        body = parsed
    try:
        return _utf8(javajson.dumps(body))
    except TypeError as exc:
        raise InvalidMessageError(f"message.body cannot be written as JSON: {exc}") from None


def _utf8(text: str) -> bytes:
    # Java's String.getBytes(UTF-8) writes "?" for a lone surrogate; so does "replace".
    return text.encode("utf-8", errors="replace")


def amqp_properties(value: Any) -> OutboundProperties:
    """``message.properties`` as AMQP basic properties; raises :class:`InvalidMessageError`
    (or :class:`UnsupportedPropertyError`) naming the property and the reason."""
    if value is None:
        return OutboundProperties()
    if not isinstance(value, Mapping):
        kind = javajson.json_type(value)
        raise InvalidMessageError(
            f"message.properties must be an object (a FEEL context), got {kind}"
        )
    for key in value:
        if key not in PROPERTY_ATTRIBUTES:
            raise UnsupportedPropertyError(f"Unsupported field [{key}] for properties")
    converted: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        converted[PROPERTY_ATTRIBUTES[key]] = _convert(key, item)
    return OutboundProperties(**converted)


def _convert(key: str, value: Any) -> Any:
    if key == "headers":
        if not isinstance(value, Mapping):
            raise _invalid(key, f"must be an object, got {javajson.json_type(value)}")
        _check_table(dict(value), f"message.properties.{key}")
        return dict(value)
    value = _unwrapped(value)
    if key in _INTEGER_PROPERTIES:
        return _integer_property(key, value)
    if key == "timestamp":
        return _timestamp(value)
    try:
        text = javajson.java_string(value)
    except TypeError as exc:
        raise _invalid(key, str(exc)) from None
    if len(text.encode("utf-8")) > SHORTSTR_MAX_BYTES:
        raise _invalid(key, f"must be at most {SHORTSTR_MAX_BYTES} bytes (UTF-8)")
    return text


def _unwrapped(value: Any) -> Any:
    # Camunda's object mapper enables UNWRAP_SINGLE_VALUE_ARRAYS: ["x"] reads as "x".
    if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], dict | list):
        return value[0]
    return value


def _integer_property(key: str, value: Any) -> int:
    number = _java_integer(key, value)
    if key == "deliveryMode" and number not in (1, 2):
        # Java sends any octet; RabbitMQ then closes the channel (delivery_mode_unknown).
        raise _invalid(key, "must be 1 (non-persistent) or 2 (persistent)")
    if key == "priority" and not 0 <= number <= 255:
        raise _invalid(key, "must be between 0 and 255")
    return number


def _java_integer(key: str, value: Any) -> int:
    """Jackson's ``Integer`` coercion: whole numbers, floats truncated, numeric text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(key, f"must be a whole number, got {javajson.json_type(value)}")
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _invalid(key, "must be a whole number")
        value = int(text)
    number = int(value)  # a float is truncated toward zero, as Java's (int) cast does
    if not _JAVA_INT[0] <= number <= _JAVA_INT[1]:
        raise _invalid(key, "is out of the range of a 32-bit integer")
    return number


def _timestamp(value: Any) -> dt.datetime:
    """Jackson's ``java.util.Date``: epoch milliseconds (a number or digits) or a date text
    (ISO-8601, or RFC 1123); AMQP keeps whole seconds (Java: ``getTime() / 1000``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _invalid("timestamp", _DATE_FORMS)
    if isinstance(value, str):
        text = value.strip()
        millis = int(text) if _DIGITS.fullmatch(text) else _parsed_millis(text)
    else:
        millis = value
    if not _JAVA_LONG[0] <= millis <= _JAVA_LONG[1]:
        raise _invalid("timestamp", "is out of range")
    return _EPOCH + dt.timedelta(seconds=_toward_zero(millis, 1000))


_DATE_FORMS = "must be epoch milliseconds or an ISO-8601 date-time text"


def _parsed_millis(text: str) -> int:
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise _invalid("timestamp", _DATE_FORMS) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # Jackson's default time zone is UTC
    micros = (parsed - _EPOCH) // dt.timedelta(microseconds=1)
    return _toward_zero(micros, 1000)  # java.util.Date keeps milliseconds


def _toward_zero(value: int, divisor: int) -> int:
    """Java's integer division (truncates toward zero; Python's // floors)."""
    quotient = abs(value) // divisor
    return quotient if value >= 0 else -quotient


def _invalid(key: str, reason: str) -> InvalidMessageError:
    return InvalidMessageError(f"message.properties.{key}: {reason}")


# -- header tables as the Java client writes them (com.rabbitmq.client.impl.ValueWriter) ----


def _check_table(table: dict[str, Any], path: str) -> None:
    """Refuse what the Java client cannot write, naming the entry (never its value)."""
    for key, item in table.items():
        if len(str(key).encode("utf-8")) > SHORTSTR_MAX_BYTES:
            raise InvalidMessageError(f"{path}: a key is longer than {SHORTSTR_MAX_BYTES} bytes")
        _check_value(item, f"{path}.{key}")


def _check_value(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return
    if isinstance(value, int):
        if not _JAVA_LONG[0] <= value <= _JAVA_LONG[1]:
            raise InvalidMessageError(f"{path}: integers beyond 64 bits cannot be sent")
        return
    if isinstance(value, Mapping):
        _check_table(dict(value), path)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]")
        return
    raise InvalidMessageError(f"{path}: {type(value).__name__} cannot be sent")


def _java_table(table: Mapping[str, Any]) -> bytes:
    encoded = b"".join(_shortstr(str(key)) + _java_value(item) for key, item in table.items())
    return struct.pack(">I", len(encoded)) + encoded


def _java_value(value: Any) -> bytes:
    if value is None:
        return b"V"
    if isinstance(value, bool):
        return b"t" + (b"\x01" if value else b"\x00")
    if isinstance(value, int):
        if _JAVA_INT[0] <= value <= _JAVA_INT[1]:
            return b"I" + struct.pack(">i", value)
        return b"l" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"d" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode("utf-8", errors="replace")
        return b"S" + struct.pack(">I", len(data)) + data
    if isinstance(value, Mapping):
        return b"F" + _java_table(value)
    if isinstance(value, list | tuple):
        items = b"".join(_java_value(item) for item in value)
        return b"A" + struct.pack(">I", len(items)) + items
    raise TypeError(f"{type(value).__name__} cannot be written to an AMQP table")


def _shortstr(text: str) -> bytes:
    data = text.encode("utf-8", errors="replace")
    return struct.pack(">B", len(data)) + data
