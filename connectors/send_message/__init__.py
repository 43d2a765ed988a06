"""The Send Message connector: drop-in for Camunda's ``io.camunda:sendMessage:1`` (element
templates ``io.camunda.connectors.message.sendtask.v1``, ``.intermediate.v1``, ``.end.v1``):
publish a BPMN message to Zeebe's buffer, or correlate one to a waiting process instance.

Behaviour follows camunda/connectors ``connectors/camunda-message/src/main/java/io/camunda/
connector/message/SendMessageConnectorFunction.java``: a blank correlation key sends the
message without one; ``publish`` goes over the engine protocol (Zeebe ``PublishMessage``) and
returns ``{messageKey, tenantId}``; ``correlate`` needs Camunda's REST API
(``POST /v2/messages/correlation``) and returns ``{messageKey, tenantId, processInstanceKey}``
(the getters of camunda/camunda ``clients/java/.../impl/response/PublishMessageResponseImpl``
and ``CorrelateMessageResponseImpl``, as Jackson writes them). The engine is the one that took
the job (``context.messages``); docs/connectors/send-message.md lists the differences.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from connectors.sdk import Example, Group, MessageToSend, OutboundContext, outbound_connector
from connectors.send_message.models import CorrelateMode, PublishMode, SendMessageInput

TYPE = "io.camunda:sendMessage:1"
TEMPLATE_ID = "io.camunda.connectors.message.sendtask.v1"
HEADER_TEMPLATE_ID = "io.camunda.connectors.message.v1"  # Camunda's elementTemplateId header


def message_of(data: SendMessageInput) -> MessageToSend:
    """The engine-neutral message for this input (TTL and id only in publish mode)."""
    mode = data.correlation_type
    key = data.correlation_key or ""
    return MessageToSend(
        name=data.message_name,
        correlation_key="" if not key.strip() else key,
        variables=data.variables or {},
        message_id=mode.message_id if isinstance(mode, PublishMode) else None,
        time_to_live_ms=_millis(mode.time_to_live) if isinstance(mode, PublishMode) else None,
        tenant_id=data.tenant_id,
        request_timeout_ms=_millis(data.request_timeout),
    )


def _millis(value: timedelta | None) -> int | None:
    return None if value is None else int(value / timedelta(milliseconds=1))


@outbound_connector(
    name="Send Message Connector",
    type=TYPE,
    description="Publish or correlate a BPMN message in Camunda",
    documentation_url="https://docs.camunda.io/docs/components/connectors/out-of-the-box-"
    "connectors/message-send/",
    template_id=TEMPLATE_ID,
    version=1,
    groups=(Group("message", "Message"), Group("operation", "Operation")),
    examples=(
        Example(
            "Publish a buffered message",
            {
                "messageName": "order-paid",
                "correlationKey": "order-42",
                "variables": {"amount": 42},
                "correlationType": {"type": "publish", "timeToLive": "PT1H"},
            },
            {"resultVariable": "sent"},
            description="Needs an engine (ZEEBE_ADDRESS or the REST engine)",
        ),
        Example(
            "Correlate to a waiting instance",
            {
                "messageName": "order-paid",
                "correlationKey": "order-42",
                "correlationType": {"type": "correlate"},
            },
            {"resultExpression": "={instance: processInstanceKey}"},
            description="Needs Camunda's REST API (CAMUNDA_REST_ADDRESS)",
        ),
    ),
)
async def send_message(data: SendMessageInput, context: OutboundContext) -> dict[str, Any]:
    sender = context.message_sender()
    message = message_of(data)
    if isinstance(data.correlation_type, CorrelateMode):
        correlated = await sender.correlate_message(message)
        return {
            "messageKey": correlated.message_key,
            "tenantId": correlated.tenant_id,
            "processInstanceKey": correlated.process_instance_key,
        }
    published = await sender.publish_message(message)
    return {"messageKey": published.message_key, "tenantId": published.tenant_id}


send_message = send_message.with_overrides(
    # Same template version and retry backoff default as Camunda's newest official template.
    # Camunda's send-task variant: a send task whose elementTemplateId header names the
    # connector's base template id.
    extra={
        "template_retry_backoff": "PT30S",
        "template_element_type": "bpmn:SendTask",
        "template_header_id": HEADER_TEMPLATE_ID,
    },
)

__all__ = ["TEMPLATE_ID", "TYPE", "SendMessageInput", "message_of", "send_message"]
