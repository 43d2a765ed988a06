"""The RabbitMQ connector: drop-in for Camunda's ``io.camunda:connector-rabbitmq:1``
(element template ``io.camunda.connectors.RabbitMQ.v1``): publish one message to an exchange.

Behaviour follows camunda/connectors ``connectors/rabbitmq/src/main/java/io/camunda/
connector/rabbitmq/outbound/RabbitMqFunction.java``: bind and validate the input, build the
properties and body (before connecting), connect with the URI or the credentials, publish,
return ``{"statusResult": "success"}``. Differences, each for a reason, are listed in
docs/connectors/rabbitmq.md (pooled connections, publisher confirms, TLS verification).
"""

from __future__ import annotations

from connectors.rabbitmq.config import check_environment
from connectors.rabbitmq.message import amqp_properties, body_bytes
from connectors.rabbitmq.models import (
    CredentialsAuthentication,
    RabbitMqInput,
    UriAuthentication,
)
from connectors.rabbitmq.pool import aclose, pool
from connectors.rabbitmq.target import BrokerTarget, target_from_fields, target_from_uri
from connectors.sdk import ConnectorInputError, Group, outbound_connector

TYPE = "io.camunda:connector-rabbitmq:1"
TEMPLATE_ID = "io.camunda.connectors.RabbitMQ.v1"
SUCCESS = {"statusResult": "success"}


def target_of(data: RabbitMqInput) -> BrokerTarget:
    """The broker to connect to, from the URI or from the credentials and routing fields."""
    auth = data.authentication
    if isinstance(auth, UriAuthentication):
        return target_from_uri(auth.uri)
    assert isinstance(auth, CredentialsAuthentication)
    routing = data.routing
    assert routing.host_name and routing.port and routing.virtual_host  # checked before
    return target_from_fields(
        routing.host_name, routing.port, routing.virtual_host, auth.user_name, auth.password
    )


@outbound_connector(
    name="RabbitMQ Producer",
    type=TYPE,
    description="Send message to RabbitMQ",
    documentation_url="https://docs.camunda.io/docs/components/connectors/out-of-the-box-"
    "connectors/rabbitmq/?rabbitmq=outbound",
    template_id=TEMPLATE_ID,
    version=6,
    groups=(
        Group("authentication", "Authentication"),
        Group("routing", "Routing"),
        Group("message", "Message"),
    ),
)
async def rabbitmq(data: RabbitMqInput) -> dict[str, str]:
    problems = data.routing_field_errors()
    if problems:
        details = "; ".join(str(p) for p in problems)
        noun = "field" if len(problems) == 1 else "fields"
        raise ConnectorInputError(f"Invalid input ({len(problems)} {noun}): {details}", problems)
    # Properties and body first, as Camunda does: bad input never opens a connection.
    properties = amqp_properties(data.message.properties)
    body = body_bytes(data.message.body)
    await pool().publish(
        target_of(data),
        exchange=data.routing.exchange,
        routing_key=data.routing.routing_key,
        body=body,
        properties=properties,
    )
    return dict(SUCCESS)


rabbitmq = rabbitmq.with_overrides(
    # Same template version and retry backoff default as Camunda's newest official template,
    # so a BPMN modelled with it resolves to ours.
    extra={
        "startup_check": check_environment,
        "shutdown": aclose,
        "template_retry_backoff": "PT30S",
    },
)

__all__ = ["SUCCESS", "TEMPLATE_ID", "TYPE", "RabbitMqInput", "aclose", "rabbitmq", "target_of"]
