"""Serve one webhook request: from the HTTP head and body stream to the HTTP answer.

The order and the answers follow camunda/connectors ``InboundWebhookRestController``
(connector-runtime-spring .../inbound/webhook): unknown path 404; the connector's
``verify`` first (a non-null answer is sent, nothing is correlated); then the request handler
(method filter, signature, authorization); then the correlation, answered as

- correlated: the response expression's answer (status default 200), or 200 with no body;
- already correlated (a buffered message id), or not activated with
  ``consumeUnmatchedEvents``: 200 with no body;
- not activated otherwise, or invalid input: 422;
- an engine refusal: its gRPC status mapped as Camunda maps it (RESOURCE_EXHAUSTED 429,
  UNAVAILABLE 503, ...); anything else 500.

A connector error with a status (WebhookError) answers that status, with ``{"reason": ...}``
for 4xx and no body for 5xx. Bodies are bounded: a request larger than the limit is refused
with 413 as soon as that is known (its Content-Length, or the first chunk beyond the limit),
without reading the rest.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.inbound.context import RuntimeContext, describe, outcome_of
from app.inbound.executables import Executable
from app.inbound.history import InboundOutcome
from app.runtime.errors import ExpressionError
from connectors.sdk.errors import ConnectorError, ConnectorInputError
from connectors.sdk.inbound import (
    ActivationConditionNotMet,
    AlreadyCorrelated,
    Correlated,
    CorrelationFailed,
    CorrelationResult,
)
from connectors.sdk.webhook import (
    BodyParseError,
    WebhookError,
    WebhookRequest,
    WebhookRequestHead,
    WebhookResponse,
    WebhookResult,
)

log = logging.getLogger("switchboard.inbound")

# InboundWebhookRestController.buildErrorResponse: gRPC status -> HTTP status.
GRPC_TO_HTTP = {
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INTERNAL": 500,
    "DATA_LOSS": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "PERMISSION_DENIED": 403,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 412,
    "OUT_OF_RANGE": 416,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "UNAUTHENTICATED": 401,
}
# Redacted in the recorded request, as Camunda redacts them in its activity log.
REDACTED_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
REDACTED_PARAMS = {"token", "access_token", "signature", "api_key", "apikey"}


@dataclass
class HttpAnswer:
    """What to send back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False  # the rest of the request body was not read


class BodyTooLarge(Exception):
    pass


def json_answer(status: int, body: Any) -> HttpAnswer:
    return HttpAnswer(
        status,
        json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"),
        {"content-type": "application/json"},
    )


def html_escape(text: str) -> str:
    """Spring's ``HtmlUtils.htmlEscape``: what Camunda applies to a string response body."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def response_answer(response: WebhookResponse) -> HttpAnswer:
    """``toResponseEntity``: the status (200 by default), the headers and the body."""
    headers = {str(k): str(v) for k, v in (response.headers or {}).items()}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    body = response.body
    status = response.status_code or 200
    if body is None:
        return HttpAnswer(status, b"", headers)
    is_xml = content_type is not None and (
        "application/xml" in content_type.lower() or "text/xml" in content_type.lower()
    )
    if isinstance(body, str):
        if content_type is None:
            headers["content-type"] = "text/plain; charset=utf-8"
        return HttpAnswer(status, (body if is_xml else html_escape(body)).encode("utf-8"), headers)
    if content_type is None:
        headers["content-type"] = "application/json"
    return HttpAnswer(status, json.dumps(body, ensure_ascii=False, default=str).encode(), headers)


async def read_body(chunks: AsyncIterator[bytes], limit: int, content_length: int | None) -> bytes:
    if content_length is not None and content_length > limit:
        raise BodyTooLarge()
    buffer = bytearray()
    async for chunk in chunks:
        buffer.extend(chunk)
        if len(buffer) > limit:
            raise BodyTooLarge()
    return bytes(buffer)


def request_view(head: WebhookRequestHead, body: Any) -> dict[str, Any]:
    """The request as the execution history keeps it (credentials redacted)."""
    return {
        "method": head.method,
        "url": head.url,
        "headers": {
            k: ("[redacted]" if k in REDACTED_HEADERS else v) for k, v in head.headers.items()
        },
        "params": {
            k: ("[redacted]" if k.lower() in REDACTED_PARAMS else v) for k, v in head.params.items()
        },
        "body": body,
    }


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class WebhookCall:
    """One request against one active webhook executable."""

    def __init__(self, executable: Executable, path: str, max_body_bytes: int) -> None:
        self.executable = executable
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.context: RuntimeContext = executable.context
        self.started = dt.datetime.now(dt.UTC)
        self._clock = time.perf_counter()
        self._body_view: Any = None

    async def run(
        self,
        head: WebhookRequestHead,
        chunks: AsyncIterator[bytes],
        content_length: int | None,
    ) -> HttpAnswer:
        instance = self.executable.instance
        try:
            check = getattr(instance, "check_head", None)
            if callable(check):
                await _maybe_await(check(head))
            try:
                raw = await read_body(chunks, self.max_body_bytes, content_length)
            except BodyTooLarge:
                answer = json_answer(
                    413, {"reason": f"The request body is larger than {self.max_body_bytes} bytes"}
                )
                answer.close = True
                return self._done(head, answer, "rejected", error=("413", "body too large"))
            request = WebhookRequest(head.method, head.url, head.headers, head.params, raw)
            self._body_view = _body_view(request)
            verify = getattr(instance, "verify", None)
            if callable(verify):
                verified = await _maybe_await(verify(request))
                if verified is not None:
                    self.context.log("Successfully handled a verification request", tag=head.method)
                    return self._done(head, response_answer(verified), "verified")
            self.context.log(f"{head.method} {head.url}", tag=head.method)
            result: WebhookResult = await _maybe_await(instance.handle_request(request))
        except WebhookError as exc:
            answer = (
                json_answer(exc.status, {"reason": self.context.mask(exc.message)})
                if 400 <= exc.status < 500
                else HttpAnswer(exc.status)
            )
            self.context.log(f"Webhook processing failed: {exc.message}", severity="ERROR")
            return self._done(head, answer, "rejected", error=(str(exc.status), exc.message))
        except BodyParseError as exc:
            return self._done(
                head, json_answer(400, {"reason": str(exc)}), "rejected", error=("400", str(exc))
            )
        except ConnectorError as exc:
            message = self.context.mask(exc.message)
            self.context.log(f"Webhook processing failed: {message}", severity="ERROR")
            return self._done(
                head,
                json_answer(422, {"code": exc.code, "message": message}),
                "rejected",
                error=(exc.code, message),
            )
        except Exception as exc:
            log.warning("webhook %s: the connector failed: %s", self.path, type(exc).__name__)
            self.context.log(f"Webhook processing failed: {type(exc).__name__}", severity="ERROR")
            return self._done(head, HttpAnswer(500), "failed", error=("500", type(exc).__name__))
        return await self._correlate(head, result)

    async def _correlate(self, head: WebhookRequestHead, result: WebhookResult) -> HttpAnswer:
        event = {
            "request": result.request.as_context(),
            "connectorData": dict(result.connector_data),
            "documents": [],
        }
        try:
            correlation, element = await self.context.correlator.correlate(event)
        except Exception as exc:
            log.exception("webhook %s: correlation failed unexpectedly", self.path)
            correlation, element = CorrelationFailed("OTHER", type(exc).__name__), None
        self.context.note_correlation(correlation)
        answer = await self._answer(result, correlation, element, event)
        return self._done(
            head,
            answer,
            outcome_of(correlation),
            result=correlation,
            element=element.registration.info() if element is not None else None,
        )

    async def _answer(
        self,
        result: WebhookResult,
        correlation: CorrelationResult,
        element: Any,
        event: Mapping[str, Any],
    ) -> HttpAnswer:
        if isinstance(correlation, Correlated):
            if result.response is None or element is None:
                return HttpAnswer(200)
            props = self.executable.element_properties.get(element.registration.key, {})
            context = {
                "request": event["request"],
                "connectorData": event["connectorData"],
                "correlation": correlation.correlation,
                "documents": [],
            }
            try:
                response = await _maybe_await(result.response(context, props))
            except (ConnectorInputError, ExpressionError) as exc:
                message = self.context.mask(getattr(exc, "message", str(exc)))
                return json_answer(422, {"reason": message, "expression": "responseExpression"})
            return HttpAnswer(200) if response is None else response_answer(response)
        if isinstance(correlation, AlreadyCorrelated):
            return HttpAnswer(200)
        if isinstance(correlation, ActivationConditionNotMet):
            if correlation.consume:
                return HttpAnswer(200)
            return json_answer(
                422, {"message": correlation.message, "consumeUnmatched": correlation.consume}
            )
        assert isinstance(correlation, CorrelationFailed)
        message = self.context.mask(correlation.message)
        if correlation.reason == "INVALID_INPUT":
            return json_answer(422, {"message": message})
        if correlation.reason == "ENGINE" and correlation.status:
            status = GRPC_TO_HTTP.get(correlation.status, 422)
            return json_answer(status, {"status": correlation.status, "message": message})
        return HttpAnswer(500)

    def _done(
        self,
        head: WebhookRequestHead,
        answer: HttpAnswer,
        outcome: InboundOutcome,
        *,
        result: CorrelationResult | None = None,
        element: Any = None,
        error: tuple[str | None, str] | None = None,
    ) -> HttpAnswer:
        output: dict[str, Any] = {"status": answer.status, "body": _answer_view(answer)}
        if result is not None:
            output["correlation"] = describe(result)
        self.context.record(
            source="webhook",
            outcome=outcome,
            started=self.started,
            duration_ms=(time.perf_counter() - self._clock) * 1000,
            input=request_view(head, self._body_view),
            output=output,
            http_status=answer.status,
            path=self.path,
            result=result,
            element=element,
            error=error,
        )
        return answer


def _body_view(request: WebhookRequest) -> Any:
    try:
        return request.body()
    except BodyParseError:
        return request.raw_body.decode("utf-8", errors="replace")


def _answer_view(answer: HttpAnswer) -> Any:
    if not answer.body:
        return None
    try:
        return json.loads(answer.body)
    except ValueError:
        return answer.body.decode("utf-8", errors="replace")
