"""Inputs of the RabbitMQ outbound connector; aliases are the binding names of Camunda's
official template ``io.camunda.connectors.RabbitMQ.v1`` (version 6).

Facts: camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/connector/rabbitmq/``
``outbound/model/RabbitMqRequest.java``, ``RabbitMqOutboundRouting.java``,
``RabbitMqMessage.java`` and ``common/model/UriAuthentication.java``,
``CredentialsAuthentication.java``, ``FactoryRoutingData.java``. Text fields take numbers
and booleans too (Jackson coerces them: ``=5672`` becomes ``"5672"``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from connectors.sdk import Choice, Condition, FieldError, Property
from connectors.sdk.validators import java_text, matching, not_blank

ROUTING_DOCS = (
    'See the <a href="https://docs.camunda.io/docs/components/connectors/out-of-the-box-'
    'connectors/rabbitmq/?rabbitmq=outbound#routing-data" target="_blank">RabbitMQ routing '
    "data docs</a>"
)
# Camunda's @Pattern on the URI, checked (as Bean Validation does) against the whole value
# after secrets are replaced; Java's "." stops at any line terminator.
URI_PATTERN = r"^(=|(amqps?://|secrets|\{\{).*$)"
URI_MESSAGE = "Must start with amqp(s):// or contain a secret reference"
_URI_MATCH = re.compile(r"=|(?:amqps?://|secrets|\{\{)[^\n\r\u0085\u2028\u2029]*")
CREDENTIALS = Condition(property="authentication.authType", equals="credentials")
ROUTING_TOOLTIP = f"Get from RabbitMQ external application configurations. {ROUTING_DOCS}"
# The same choice in the outbound and inbound templates.
CONNECTION_TYPE = Property(
    label="Connection type",
    group="authentication",
    value="uri",
    choices=(Choice("uri", "URI"), Choice("credentials", "Username/Password")),
)


_uri = matching(_URI_MATCH, URI_MESSAGE)


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null")
    return value


JavaText = Annotated[str, BeforeValidator(java_text)]
NotBlank = Annotated[JavaText, AfterValidator(not_blank)]
OptionalText = Annotated[str | None, BeforeValidator(java_text)]


class UriAuthentication(BaseModel):
    """``authType: uri``: everything in one ``amqp(s)://user:password@host:port/vhost``."""

    model_config = ConfigDict(title="URI", extra="ignore")
    auth_type: Annotated[Literal["uri"], Property(label="URI"), Field(alias="authType")] = "uri"
    uri: Annotated[
        JavaText,
        AfterValidator(_uri),
        Property(
            label="URI",
            feel="optional",
            secret=True,
            tooltip="URI should contain username, password, host name, port number, and "
            "virtual host",
            extra={"constraints": {"pattern": {"value": URI_PATTERN, "message": URI_MESSAGE}}},
        ),
    ]

    def __repr__(self) -> str:
        return "UriAuthentication(uri=<redacted>)"


class CredentialsAuthentication(BaseModel):
    """``authType: credentials``: user and password; host, port and virtual host come from
    ``routing``."""

    model_config = ConfigDict(title="Username/Password", extra="ignore")
    auth_type: Annotated[
        Literal["credentials"], Property(label="Username/Password"), Field(alias="authType")
    ] = "credentials"
    user_name: Annotated[
        NotBlank, Property(label="Username", feel="optional"), Field(alias="userName")
    ]
    password: Annotated[NotBlank, Property(label="Password", feel="optional", secret=True)]

    def __repr__(self) -> str:
        return f"CredentialsAuthentication(userName={self.user_name!r}, password=<redacted>)"


Authentication = Annotated[
    UriAuthentication | CredentialsAuthentication,
    Field(discriminator="auth_type"),
    CONNECTION_TYPE,
]


def _routing_property(label: str) -> Property:
    return Property(
        label=label,
        feel="optional",
        condition=CREDENTIALS,
        optional=False,
        tooltip=ROUTING_TOOLTIP,
    )


class Routing(BaseModel):
    """Where the message goes; host, port and virtual host only for ``credentials``."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    exchange: Annotated[
        NotBlank,
        Property(
            label="Exchange",
            feel="optional",
            tooltip="Topic exchange to publish to. Get from RabbitMQ external application "
            f"configurations. {ROUTING_DOCS}",
        ),
    ]
    routing_key: Annotated[
        NotBlank,
        Property(
            label="Routing key",
            feel="optional",
            tooltip='A binding is a "link" that was set up to bind a queue to an exchange. '
            + ROUTING_DOCS,
        ),
        Field(alias="routingKey"),
    ]
    virtual_host: Annotated[
        OptionalText, _routing_property("Virtual host"), Field(alias="virtualHost")
    ] = None
    host_name: Annotated[OptionalText, _routing_property("Host name"), Field(alias="hostName")] = (
        None
    )
    port: Annotated[OptionalText, _routing_property("Port")] = None


class Message(BaseModel):
    """The message: ``body`` (any JSON, or text) and AMQP ``properties``."""

    model_config = ConfigDict(extra="ignore")

    properties: Annotated[
        Any,
        Property(
            label="Properties",
            type="Text",
            feel="required",
            value="={}",
            optional=True,
            tooltip="Properties for the message, routing headers, etc",
        ),
    ] = None
    body: Annotated[
        Any,
        AfterValidator(_not_null),
        Property(label="Message", type="Text", feel="optional", tooltip="Data to send to RabbitMQ"),
    ]


class RabbitMqInput(BaseModel):
    """Everything a job of ``io.camunda:connector-rabbitmq:1`` carries."""

    model_config = ConfigDict(extra="ignore")

    authentication: Authentication
    routing: Annotated[Routing, Property(group="routing")]
    message: Annotated[Message, Property(group="message")]

    def routing_field_errors(self) -> list[FieldError]:
        """Camunda's ``isRoutingParamsNotFilling``: with ``credentials``, host name, port and
        virtual host must all be set (with a URI they are ignored)."""
        if not isinstance(self.authentication, CredentialsAuthentication):
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
