"""Inputs of the Send Message connector; aliases are the binding names of Camunda's official
templates ``io.camunda.connectors.message.sendtask.v1`` (and the ``.intermediate.v1`` and
``.end.v1`` variants, which bind the same inputs), version 1.

Facts: camunda/connectors ``connectors/camunda-message/src/main/java/io/camunda/connector/
message/SendMessageRequest.java``: ``messageName`` (``@NotBlank``), ``correlationKey``,
``variables`` (a map), ``tenantId``, ``requestTimeout`` (a ``java.time.Duration``) and the
``correlationType`` union on ``type``: ``publish`` {``timeToLive`` (Duration), ``messageId``}
or ``correlate``. Jackson reads a Duration from ISO-8601 text (``Duration.parse``: ``PT10S``,
``P1DT2H``), from a number of seconds, and reads an empty text as no value; text fields take
numbers and booleans too (``=42`` becomes ``"42"``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from connectors.sdk import Choice, Property
from connectors.sdk.durations import java_duration
from connectors.sdk.validators import java_text

MODE_DESCRIPTION = (
    "Send message with <a href='https://docs.camunda.io/docs/components/concepts/messages/"
    "#message-buffering' target='_blank'>buffer (publish)</a> or with <a href='https://docs."
    "camunda.io/docs/components/concepts/messages/#message-response' target='_blank'>result "
    "(correlate)</a>"
)


def parse_duration(text: str) -> timedelta:
    """``Duration.parse``; raises ``ValueError`` naming the accepted form."""
    duration = java_duration(text)
    if duration is None:
        raise ValueError(f"{text!r} is not an ISO-8601 duration (PnDTnHnMn.nS, e.g. PT1H)")
    return duration


def _duration(value: Any) -> Any:
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("must be an ISO-8601 duration (e.g. PT1H), not a boolean")
    if isinstance(value, int | float):
        return timedelta(seconds=value)  # Jackson: a number is seconds
    if isinstance(value, str):
        if not value.strip():
            return None  # Jackson reads an empty text as no value
        duration = parse_duration(value)
        if duration < timedelta(0):
            raise ValueError(f"{value!r} is negative")
        return duration
    raise ValueError("must be an ISO-8601 duration (e.g. PT1H)")


def _not_blank(value: Any) -> Any:
    value = java_text(value)
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be blank")
    return value


def _payload(value: Any) -> Any:
    # A FEEL context arrives as an object. Text typed without "=" is read as JSON (an object),
    # so {"a": 1} works whether or not the modeler marked it as an expression.
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("must be a JSON object (a FEEL context such as ={a: 1})") from None
    if value is not None and not isinstance(value, dict):
        raise ValueError("must be a JSON object (a FEEL context such as ={a: 1})")
    return value


Duration = Annotated[timedelta | None, BeforeValidator(_duration)]
Text = Annotated[str | None, BeforeValidator(java_text)]


class PublishMode(BaseModel):
    """``type: publish``: buffered for ``timeToLive``; ``messageId`` makes it idempotent."""

    model_config = ConfigDict(title="Publish message (with buffer)", extra="ignore")
    type: Annotated[Literal["publish"], Property(label="Publish message (with buffer)")] = "publish"
    time_to_live: Annotated[
        Duration,
        Property(
            label="Time to live (as ISO 8601)",
            feel="optional",
            optional=True,
            tooltip="Duration for which the message remains buffered",
        ),
        Field(alias="timeToLive"),
    ] = None
    message_id: Annotated[
        Text,
        Property(label="Message id (optional)", feel="optional", optional=True),
        Field(alias="messageId"),
    ] = None


class CorrelateMode(BaseModel):
    """``type: correlate``: no buffer; the answer names the process instance reached."""

    model_config = ConfigDict(title="Correlate message (with result)", extra="ignore")
    type: Annotated[Literal["correlate"], Property(label="Correlate message (with result)")] = (
        "correlate"
    )


CorrelationType = Annotated[
    PublishMode | CorrelateMode,
    Field(discriminator="type"),
    Property(
        label="Correlation mode",
        group="operation",
        value="publish",
        description=MODE_DESCRIPTION,
        choices=(
            Choice("correlate", "Correlate message (with result)"),
            Choice("publish", "Publish message (with buffer)"),
        ),
    ),
]


class SendMessageInput(BaseModel):
    """Everything a job of ``io.camunda:sendMessage:1`` carries."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_name: Annotated[
        str,
        BeforeValidator(_not_blank),
        Property(label="Message name", feel="optional", group="message"),
        Field(alias="messageName"),
    ]
    correlation_key: Annotated[
        Text,
        Property(label="Correlation key", feel="optional", optional=True, group="message"),
        Field(alias="correlationKey"),
    ] = None
    variables: Annotated[
        dict[str, Any] | None,
        BeforeValidator(_payload),
        Property(label="Payload", type="String", feel="optional", optional=True, group="message"),
    ] = None
    correlation_type: Annotated[CorrelationType, Field(alias="correlationType")] = Field(
        default_factory=PublishMode, alias="correlationType"
    )
    tenant_id: Annotated[
        Text,
        Property(label="Tenant id", feel="optional", optional=True, group="message"),
        Field(alias="tenantId"),
    ] = None
    request_timeout: Annotated[
        Duration,
        Property(label="Request timeout", feel="optional", optional=True, group="message"),
        Field(alias="requestTimeout"),
    ] = None
