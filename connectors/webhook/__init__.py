"""The Webhook connector (``io.camunda:webhook:1``) on Switchboard's inbound SDK.

Behaves as camunda/connectors ``connectors/webhook`` (``HttpWebhookExecutable``): method
filter (405), HMAC over the raw body (or URL/parameters, per the scopes), authorization
(NONE, BASIC, APIKEY with a locator expression, JWT against a JWKS with required roles),
a one-time verification expression, and a response expression per element. Checks that need
only the method and headers run before the body is read when no verification expression or
HMAC check has to come first (Camunda's order is verification, method, HMAC, authorization).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.sdk import ConnectorInputError
from connectors.sdk.fields import Group
from connectors.sdk.inbound import Health, InboundContext, inbound_connector
from connectors.sdk.webhook import (
    WebhookError,
    WebhookRequest,
    WebhookRequestHead,
    WebhookResponse,
    WebhookResult,
)
from connectors.webhook.auth import Authorizer, authorizer_for
from connectors.webhook.hmac import verify_signature
from connectors.webhook.properties import Inbound, WebhookProperties

TYPE = "io.camunda:webhook:1"
LEGACY_RESPONSE_BODY = "inbound.responseBodyExpression"
_LEGACY_MESSAGE = (
    "The webhook property 'responseBodyExpression' is deprecated and no longer supported. "
    "Replace it with 'responseExpression', which returns a full HTTP response, e.g. "
    "'={body: ..., statusCode: 200, headers: {...}}'. See "
    "https://docs.camunda.io/docs/components/connectors/protocol/http-webhook/ for details."
)


@inbound_connector(
    name="Webhook",
    type=TYPE,
    properties=WebhookProperties,
    template_id="io.camunda.connectors.webhook",
    # The official templates' ids, so a process modelled with either set of templates is
    # the same process.
    template_ids={
        "start_event": "io.camunda.connectors.webhook.WebhookConnector.v1",
        "message_start_event": "io.camunda.connectors.webhook.WebhookConnectorStartMessage.v1",
        "intermediate_catch_event": "io.camunda.connectors.webhook.WebhookConnectorIntermediate.v1",
        "boundary_event": "io.camunda.connectors.webhook.WebhookConnectorBoundary.v1",
        "receive_task": "io.camunda.connectors.webhook.WebhookConnectorReceive.v1",
    },
    documentation_url="https://docs.camunda.io/docs/components/connectors/protocol/http-webhook/",
    description="Configure webhook to receive callbacks",
    # Only the connector-scoped properties decide deduplication (Camunda's
    # deduplicationClasses = WebhookConnectorPropertiesWrapper): elements differing only in
    # their response expression share one executable and each answers with its own.
    deduplication_properties=(
        "inbound.method",
        "inbound.context",
        "inbound.shouldValidateHmac",
        "inbound.hmacSecret",
        "inbound.hmacHeader",
        "inbound.hmacAlgorithm",
        "inbound.hmacScopes",
        "inbound.auth",
        "inbound.verificationExpression",
    ),
    groups=(
        Group("endpoint", "Webhook configuration"),
        Group("authentication", "Authentication"),
        Group("authorization", "Authorization"),
        Group("webhookResponse", "Webhook response"),
    ),
)
class HttpWebhook:
    """Receive HTTP callbacks on ``/inbound/{context}``."""

    context: InboundContext
    props: Inbound
    authorizer: Authorizer

    async def activate(self, context: InboundContext) -> None:
        self.context = context
        raw = context.properties.get("inbound", {})
        for element_props in _element_properties(context):
            legacy = element_props.get("inbound", {}).get("responseBodyExpression")
            if isinstance(legacy, str) and legacy.strip():
                raise ConnectorInputError(_LEGACY_MESSAGE)
        if isinstance(raw, Mapping) and isinstance(raw.get("responseBodyExpression"), str):
            if raw["responseBodyExpression"].strip():
                raise ConnectorInputError(_LEGACY_MESSAGE)
        self.props = context.bind(WebhookProperties).inbound
        self.authorizer = authorizer_for(self.props.auth, context)
        # Method and header-only authorization are decided before the body is read unless a
        # verification expression or an HMAC check must come first.
        self.early = (
            self.props.verification_expression is None
            and self.props.should_validate_hmac != "enabled"
        )
        context.report_health(Health.up())

    async def deactivate(self) -> None:
        await self.authorizer.close()
        self.context.report_health(Health.down("deactivated"))

    # -- request handling -----------------------------------------------------------------

    async def check_head(self, head: WebhookRequestHead) -> None:
        if self.early:
            self._check_method(head)
            if self.authorizer.headers_only:
                await self.authorizer.check(head, None)

    def verify(self, request: WebhookRequest) -> WebhookResponse | None:
        expression = self.props.verification_expression
        if expression is None:
            return None
        value = self.context.evaluate(expression, {"request": request.mapped().as_context()})
        return _response(value)

    async def handle_request(self, request: WebhookRequest) -> WebhookResult:
        if not self.early:
            self._check_method(request)
            if self.props.should_validate_hmac == "enabled":
                verify_signature(
                    request,
                    scopes=self.props.hmac_scopes,
                    header=self.props.hmac_header,
                    secret=self.props.hmac_secret,
                    algorithm=self.props.hmac_algorithm,
                )
        mapped = request.mapped()
        if not (self.early and self.authorizer.headers_only):
            await self.authorizer.check(request, mapped)
        return WebhookResult(request=mapped, response=self._respond)

    def _check_method(self, head: WebhookRequestHead) -> None:
        wanted = self.props.method
        if wanted != "any" and head.method.lower() != wanted:
            raise WebhookError(405, f"Method {head.method} not supported")

    def _respond(
        self, result: Mapping[str, Any], element_properties: Mapping[str, Any]
    ) -> WebhookResponse | None:
        if result.get("correlation") is None:
            return None
        inbound = element_properties.get("inbound", {})
        expression = inbound.get("responseExpression") if isinstance(inbound, Mapping) else None
        if not isinstance(expression, str) or not expression.strip():
            return None
        return _response(self.context.evaluate(expression, result))


def _element_properties(context: InboundContext) -> list[Mapping[str, Any]]:
    found = getattr(context, "element_properties", None)
    return list(found.values()) if isinstance(found, Mapping) else []


def _response(value: Any) -> WebhookResponse | None:
    """A FEEL result as Camunda's WebhookHttpResponse: ``{body, headers, statusCode}``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConnectorInputError(
            "The response expression must return a context with body, headers and statusCode"
        )
    headers = value.get("headers") or {}
    status = value.get("statusCode")
    if not isinstance(headers, Mapping) or (
        status is not None and (isinstance(status, bool) or not isinstance(status, int | float))
    ):
        raise ConnectorInputError(
            "The response expression must return headers as a context and statusCode as a number"
        )
    return WebhookResponse(
        body=value.get("body"),
        headers={str(k): str(v) for k, v in headers.items()},
        status_code=int(status) if status is not None else None,
    )


__all__ = ["TYPE", "HttpWebhook"]
