"""Read a raw RFC 5322 message into the fields Camunda's connector returns
(camunda/connectors ``.../client/jakarta/utils/JakartaUtils.java`` ``createBodylessEmail`` and
``createEmail``; ``.../response/*.java`` for the result shapes).

Bodies: in a multipart message every ``text/plain`` part that is not an attachment sets the
plain body and every ``text/html`` part the HTML body (the last one wins), nested multiparts
are walked, parts with ``Content-Disposition: attachment`` become attachments, other parts are
skipped. Dates are ISO-8601 in UTC, as Jackson writes Java's ``OffsetDateTime``.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import default
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from connectors.email.attachments import TYPE_KEY, content_type_for


@dataclass
class Email:
    """One message, as far as it was fetched (headers only, or all of it)."""

    message_id: str | None
    subject: str | None
    from_address: str | None
    headers: list[dict[str, str]]
    sent_at: dt.datetime | None
    received_at: dt.datetime | None = None
    size: int | None = None
    plain: str | None = None
    html: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    _message: EmailMessage | None = None

    def summary(self) -> dict[str, Any]:
        """The list operations' entry."""
        return {
            "messageId": self.message_id,
            "fromAddress": self.from_address,
            "subject": self.subject,
            "size": self.size,
        }

    def read_response(self) -> dict[str, Any]:
        """The read operations' result."""
        return {
            "messageId": self.message_id,
            "fromAddress": self.from_address,
            "headers": self.headers,
            "subject": self.subject,
            "size": self.size,
            "plainTextBody": self.plain,
            "htmlBody": self.html,
            "attachments": self.attachments,
            "receivedDateTime": iso(self.received_at),
            "errors": [],
        }

    def text_parts(self) -> list[str]:
        """Every text/* part's content (for BODY searches done here, as over POP3)."""
        if self._message is None:
            return []
        found: list[str] = []
        for part in self._message.walk():
            if part.get_content_maintype() == "text":
                found.append(_text(part))
        return found


def parse(
    raw: bytes, *, with_body: bool, size: int | None = None, received_at: dt.datetime | None = None
) -> Email:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    headers = [{"key": name, "value": _unfold(value)} for name, value in message.raw_items()]
    result = Email(
        message_id=_raw(message, "Message-ID"),
        subject=_decoded(message, "Subject"),
        from_address=_first_address(message),
        headers=headers,
        sent_at=_date(message.get("Date")),
        received_at=received_at,
        size=size if size is not None else len(raw),
        _message=message,
    )
    if with_body:
        _read_body(message, result)
    return result


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text.replace("+00:00", "Z")


def matches_message_id(value: str | None, wanted: str) -> bool:
    """Jakarta's ``MessageIDTerm``: a case-insensitive substring match."""
    return value is not None and wanted.lower() in value.lower()


def _read_body(message: EmailMessage, result: Email) -> None:
    if not message.is_multipart():
        kind = message.get_content_type()
        if kind == "text/plain":
            result.plain = _text(message)
        elif kind == "text/html":
            result.html = _text(message)
        return
    _walk(message, result)


def _walk(container: Message, result: Email) -> None:
    for part in container.iter_parts() if isinstance(container, EmailMessage) else []:
        if part.get_content_disposition() == "attachment":
            result.attachments.append(_attachment(part))
        elif part.is_multipart():
            _walk(part, result)
        elif part.get_content_type() == "text/plain":
            result.plain = _text(part)
        elif part.get_content_type() == "text/html":
            result.html = _text(part)


def _attachment(part: Message) -> dict[str, Any]:
    """An attachment as an inline document reference (Switchboard has no document store):
    UTF-8 text as it is, anything else base64 with ``"encoding": "base64"``."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    name = part.get_filename() or None
    reference: dict[str, Any] = {
        TYPE_KEY: "inline",
        "name": name,
        "contentType": content_type_for(part.get_content_type(), name),
    }
    try:
        reference["content"] = data.decode("utf-8")
    except UnicodeDecodeError:
        reference["content"] = base64.b64encode(data).decode("ascii")
        reference["encoding"] = "base64"
    return reference


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _raw(message: EmailMessage, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return _unfold(value).strip() or None
    return None


def _decoded(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError):
        return _raw(message, name)
    return None if value is None else str(value)


def _first_address(message: EmailMessage) -> str | None:
    raw = _raw(message, "From")
    if raw is None:
        return None
    for _, addr in getaddresses([raw]):
        if addr:
            return addr
    return None


def _date(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _unfold(value: str) -> str:
    return value.replace("\r\n", "").replace("\n", "")
