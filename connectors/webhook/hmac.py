"""HMAC signature checks as Camunda's webhook connector does them.

Facts from camunda/connectors connectors/webhook ``signature/HMACVerifier.java``,
``HMACSignatureValidator.java``, ``HMACAlgoCustomerChoice.java`` and
``signature/strategy/*``:

- what is signed follows the scopes: ``[BODY]`` the raw body bytes; ``[URL, BODY]`` (or all
  three with a method other than GET) the URL followed by the body (a form or a JSON object
  with string values as its sorted ``key+value`` pairs, anything else as JSON); ``[URL,
  PARAMETERS]`` (or all three with GET) the URL, ``?`` and ``key=value`` pairs joined by ``&``;
  other combinations are not supported;
- the header value matches when it equals the lower-case hex digest, or its part after ``=``
  does (``sha256=...``), or it equals the base64 digest (Twilio), compared in constant time;
- an empty header value: 401 ("HMAC signature check didn't pass"); a missing header is not a
  signature failure in Camunda but an internal error (500).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote_plus

from connectors.sdk.webhook import FORM_CONTENT_TYPE, WebhookError, WebhookRequest, parse_form
from connectors.sdk.webhook import WebhookSecurityError as SecurityError

ALGORITHMS = {"sha_1": hashlib.sha1, "sha_256": hashlib.sha256, "sha_512": hashlib.sha512}
FAILED = "HMAC signature check didn't pass"


def signed_bytes(request: WebhookRequest, scopes: Sequence[str]) -> bytes:
    chosen = set(scopes)
    if len(chosen) != len(scopes):
        chosen = set()  # Camunda compares lengths: a repeated scope matches no strategy
    is_get = request.method.upper() == "GET"
    if chosen == {"URL", "PARAMETERS", "BODY"}:
        return _url_and_params(request) if is_get else _url_and_body(request)
    if chosen == {"URL", "BODY"}:
        return _url_and_body(request)
    if chosen == {"URL", "PARAMETERS"}:
        return _url_and_params(request)
    if chosen == {"BODY"}:
        return request.raw_body
    raise WebhookError(
        500,
        f"The current pattern of HMAC scopes {list(scopes)} and method {request.method} "
        "is not supported",
    )


def _url_and_params(request: WebhookRequest) -> bytes:
    pairs = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in sorted(request.params.items()))
    return f"{request.url}?{pairs}".encode()


def _url_and_body(request: WebhookRequest) -> bytes:
    media = request.content_type.split(";", 1)[0].strip().lower()
    raw = request.raw_body
    data: str
    if media == FORM_CONTENT_TYPE:
        data = _sorted_pairs(parse_form(raw))
    else:
        try:
            value: Any = json.loads(raw) if raw else None
        except ValueError:
            raise WebhookError(500, "Can't extract signature data from body") from None
        if isinstance(value, dict):
            if not any(isinstance(v, str) for v in value.values()):
                raise WebhookError(500, "Can't extract signature data from body")
            data = _sorted_pairs({str(k): str(v) for k, v in value.items()})
        else:
            data = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return (request.url + data).encode()


def _sorted_pairs(values: dict[str, str]) -> str:
    return "".join(k + values[k] for k in sorted(values))


def verify_signature(
    request: WebhookRequest,
    *,
    scopes: Sequence[str],
    header: str | None,
    secret: str | None,
    algorithm: str,
) -> None:
    """Raise :class:`WebhookSecurityError` (401) unless the request is signed correctly."""
    if header is None or secret is None:
        raise WebhookError(500, "HMAC header and secret key must be set")
    data = signed_bytes(request, scopes)
    provided = request.headers.get(header.lower())
    if provided is None:
        raise WebhookError(500, f"Expected HMAC header {header}, but was not present")
    if not provided:
        raise SecurityError(401, FAILED)
    digest = hmac.new(secret.encode("utf-8"), data, ALGORITHMS[algorithm]).digest()
    expected_hex = digest.hex().encode()
    expected_b64 = base64.b64encode(digest)
    given = provided.encode("utf-8")
    parts = provided.split("=")
    untagged = parts[1].encode("utf-8") if len(parts) == 2 else given
    if not (
        hmac.compare_digest(given, expected_hex)
        or hmac.compare_digest(untagged, expected_hex)
        or hmac.compare_digest(given, expected_b64)
    ):
        raise SecurityError(401, FAILED)
