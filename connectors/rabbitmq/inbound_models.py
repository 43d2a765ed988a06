"""Properties of the RabbitMQ inbound connector, bound as Camunda's official templates write
them as ``zeebe:property`` (``io.camunda.connectors.inbound.RabbitMQ.StartEvent.v1`` and its
message start, intermediate, boundary and receive siblings, version 8): ``authentication.*``,
``routing.hostName|port|virtualHost``, ``queueName``, ``consumerTag``, ``arguments``,
``exclusive``.

Facts: camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/``
``inbound/model/RabbitMqInboundProperties.java`` (queue name not blank, arguments a map,
exclusive false by default) and ``common/model/FactoryRoutingData.java``. Property values are
strings; a value starting with ``=`` is evaluated as FEEL when the connector is activated.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from connectors.rabbitmq.models import (
    CONNECTION_TYPE,
    CREDENTIALS,
    ROUTING_TOOLTIP,
    URI_MESSAGE,
    URI_PATTERN,
)
from connectors.sdk import Choice, FieldError, Property
from connectors.sdk.inbound import FEEL
from connectors.sdk.validators import blank_to_none, matching, not_blank, scalar_text

_URI_MATCH = re.compile(r"(?:amqps?://|secrets|\{\{)[^\n\r\u0085\u2028\u2029]*")
_uri = matching(_URI_MATCH, URI_MESSAGE)


def _arguments(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        raise ValueError('must be a FEEL context, e.g. ={"x-priority": 5}')
    return value


def _exclusive(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


# Before-validators run last-listed first: blank check, then FEEL, then the text coercion (a
# FEEL property may evaluate to a number, =5672: the Java model reads it as text).
Text = Annotated[str, BeforeValidator(scalar_text), FEEL]
NotBlank = Annotated[Text, AfterValidator(not_blank)]
OptionalText = Annotated[
    str | None, BeforeValidator(scalar_text), FEEL, BeforeValidator(blank_to_none)
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class InboundUriAuthentication(_Model):
    """``authType: uri``: ``amqp(s)://user:password@host:port/vhost``."""

    auth_type: Annotated[Literal["uri"], Field(alias="authType")] = "uri"
    uri: Annotated[
        Text,
        AfterValidator(_uri),
        Property(
            label="URI",
            secret=True,
            tooltip="URI should contain username, password, host name, port number, and "
            "virtual host",
            extra={
                "constraints": {
                    "notEmpty": True,
                    "pattern": {"value": URI_PATTERN, "message": URI_MESSAGE},
                }
            },
        ),
    ]

    def __repr__(self) -> str:
        return "InboundUriAuthentication(uri=<redacted>)"


class InboundCredentialsAuthentication(_Model):
    """``authType: credentials``: host, port and virtual host come from ``routing``."""

    auth_type: Annotated[Literal["credentials"], Field(alias="authType")] = "credentials"
    user_name: Annotated[
        NotBlank,
        Property(
            label="Username",
            extra={"constraints": {"notEmpty": True}},
        ),
        Field(alias="userName"),
    ]
    password: Annotated[
        NotBlank,
        Property(
            label="Password",
            secret=True,
            extra={"constraints": {"notEmpty": True}},
        ),
    ]

    def __repr__(self) -> str:
        return f"InboundCredentialsAuthentication(userName={self.user_name!r}, password=<redacted>)"


InboundAuthentication = Annotated[
    InboundUriAuthentication | InboundCredentialsAuthentication,
    Field(discriminator="auth_type"),
    CONNECTION_TYPE,
]


def _routing(label: str) -> Property:
    return Property(
        label=label,
        condition=CREDENTIALS,
        optional=False,
        tooltip=ROUTING_TOOLTIP,
        extra={"constraints": {"notEmpty": True}},
    )


class InboundRouting(_Model):
    """Host, port and virtual host; read only with ``credentials``."""

    virtual_host: Annotated[OptionalText, _routing("Virtual host"), Field(alias="virtualHost")] = (
        None
    )
    host_name: Annotated[OptionalText, _routing("Host name"), Field(alias="hostName")] = None
    port: Annotated[OptionalText, _routing("Port")] = None


class RabbitMqInboundProperties(_Model):
    """Everything an element of ``io.camunda:connector-rabbitmq-inbound:1`` carries."""

    authentication: InboundAuthentication
    routing: Annotated[InboundRouting, Property(group="routing")] = Field(
        default_factory=InboundRouting
    )
    queue_name: Annotated[
        NotBlank,
        Property(
            label="Queue name",
            group="subscription",
            optional=False,
            tooltip="Name of the queue to subscribe to",
            extra={"constraints": {"notEmpty": True}},
        ),
        Field(alias="queueName"),
    ]
    consumer_tag: Annotated[
        OptionalText,
        Property(
            label="Consumer tag",
            group="subscription",
            description="Consumer tag to use for the subscription (empty: a random one)",
        ),
        Field(alias="consumerTag"),
    ] = None
    arguments: Annotated[
        dict[str, Any] | None,
        BeforeValidator(_arguments),
        FEEL,
        Property(
            label="Arguments",
            type="String",
            group="subscription",
            optional=True,
            feel="required",
            description="Arguments to use for the subscription",
        ),
    ] = None
    exclusive: Annotated[
        bool,
        BeforeValidator(_exclusive),
        FEEL,
        Property(
            label="Exclusive consumer",
            type="Dropdown",
            group="subscription",
            optional=False,
            value="false",
            choices=(Choice("true", "Yes"), Choice("false", "No")),
        ),
    ] = False

    def routing_field_errors(self) -> list[FieldError]:
        """With ``credentials``, host name, port and virtual host must all be set."""
        if not isinstance(self.authentication, InboundCredentialsAuthentication):
            return []
        fields = (
            ("routing.hostName", self.routing.host_name),
            ("routing.port", self.routing.port),
            ("routing.virtualHost", self.routing.virtual_host),
        )
        return [
            FieldError(path, "must not be blank when authType is credentials")
            for path, value in fields
            if value is None or not value.strip()
        ]
