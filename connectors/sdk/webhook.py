"""Webhook-style inbound connectors: the request the runtime hands over, what the connector
returns, and the errors that become HTTP answers.

A webhook connector is an inbound connector class (see :mod:`connectors.sdk.inbound`) with::

    def check_head(self, head: WebhookRequestHead) -> None: ...          # optional
    def verify(self, request: WebhookRequest) -> WebhookResponse | None   # optional
    def handle_request(self, request: WebhookRequest) -> WebhookResult    # required

(each may be async). The runtime serves ``/inbound/{context}``: it calls ``check_head`` before
it reads the body (so checks that need only the method and headers refuse a request without
buffering it), reads the body (bounded), calls ``verify`` (a non-None answer is sent as it is,
nothing is correlated), then ``handle_request``, correlates ``{"request": ..., "connectorData":
...}`` and answers with ``WebhookResult.response`` (or 200 with no body). Raise
:class:`WebhookError` to answer with a status code.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class WebhookRequestHead:
    """What is known before the body is read."""

    method: str  # upper case
    url: str  # scheme://host[:port]/path, without the query string
    headers: Mapping[str, str]  # names lower-cased; the first value of a repeated header
    params: Mapping[str, str]  # query parameters, URL-decoded; the first value wins

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class WebhookRequest(WebhookRequestHead):
    """The whole request: the head plus the raw body bytes as received."""

    raw_body: bytes = b""

    def body(self) -> Any:
        """The body parsed by content type (see :func:`parse_body`)."""
        return parse_body(self.raw_body, self.content_type)

    def mapped(self) -> MappedRequest:
        return MappedRequest(self.body(), dict(self.headers), dict(self.params))


@dataclass(frozen=True)
class MappedRequest:
    """The request as expressions see it: ``request.body``, ``request.headers``,
    ``request.params``."""

    body: Any
    headers: Mapping[str, str]
    params: Mapping[str, str]

    def as_context(self) -> dict[str, Any]:
        return {"body": self.body, "headers": dict(self.headers), "params": dict(self.params)}


@dataclass(frozen=True)
class WebhookResponse:
    """An HTTP answer: ``status_code`` defaults to 200."""

    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    status_code: int | None = None


ResponseFunction = Callable[[Mapping[str, Any]], "WebhookResponse | None"]


@dataclass(frozen=True)
class WebhookResult:
    """What ``handle_request`` returns.

    ``response`` (optional) is called after the correlation with the result context
    ``{"request": ..., "connectorData": ..., "correlation": ...}`` (``correlation`` is absent
    when nothing was correlated) and returns the answer, or None for 200 with no body. It is
    asked with the activated element's properties as its second argument, so elements sharing
    one executable answer with their own response expression.
    """

    request: MappedRequest
    connector_data: Mapping[str, Any] = field(default_factory=dict)
    response: (
        Callable[[Mapping[str, Any], Mapping[str, Any]], WebhookResponse | None]
        | Callable[[Mapping[str, Any], Mapping[str, Any]], Awaitable[WebhookResponse | None]]
        | None
    ) = None


class WebhookError(Exception):
    """Answer the webhook caller with ``status`` (4xx: ``{"reason": message}`` as body; 5xx:
    no body)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WebhookSecurityError(WebhookError):
    """A failed signature or authorization check (401 or 403)."""


class BodyParseError(ValueError):
    """The body does not parse as its content type says."""


def parse_body(raw: bytes, content_type: str) -> Any:
    """The body as Camunda's webhook connector reads it.

    Empty: ``{}``. ``application/x-www-form-urlencoded``: a flat object of strings (the whole
    body is URL-decoded, then split at ``&`` and the first ``=``, as Camunda does). XML
    (``application/xml``, ``text/xml``): the text. Anything else is read as JSON; a ``text/*``
    body that is not JSON is kept as text (Camunda answers 500 there). Raises
    :class:`BodyParseError` for a body that is none of these.
    """
    if not raw:
        return {}
    media = content_type.split(";", 1)[0].strip().lower()
    if media == FORM_CONTENT_TYPE:
        return parse_form(raw)
    lowered = content_type.lower()
    if "application/xml" in lowered or "text/xml" in lowered:
        return raw.decode("utf-8", errors="replace")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        if media.startswith("text/"):
            return raw.decode("utf-8", errors="replace")
        if media.startswith("multipart/"):
            raise BodyParseError("multipart bodies are not supported") from None
        raise BodyParseError(
            f"the body is not valid JSON (Content-Type {media or 'not set'})"
        ) from None


def parse_form(raw: bytes) -> dict[str, str]:
    text = unquote_plus(raw.decode("utf-8", errors="replace"))
    values: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        values.setdefault(name, value)
    return values
