"""Build the message Camunda's connector would send (camunda/connectors
``.../client/jakarta/outbound/JakartaEmailActionExecutor.java`` ``smtpSendEmail``).

As there: ``to``/``cc``/``bcc`` are comma-separated text or lists; custom headers are set
first, then the subject; the Message-ID is always generated; Bcc recipients get the message
but no header. The body is ``multipart/mixed``: a text/plain part (PLAIN), a text/html part
(HTML) or, for MULTIPART, both inside ``multipart/alternative`` (Camunda puts both straight
into the mixed part, so some readers show them one after the other), then the attachments.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from connectors.email.attachments import Attachment
from connectors.email.models import SmtpSendEmail
from connectors.email.request import require
from connectors.sdk import ConnectorInputError

_ADDR_SPEC = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+$")
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")


@dataclass(frozen=True)
class Outgoing:
    message: EmailMessage
    sender: str
    recipients: list[str]
    message_id: str
    subject: str


def compose(action: SmtpSendEmail, attachments: list[Attachment]) -> Outgoing:
    """The message, its envelope and its Message-ID; bad input raises ``ConnectorInputError``
    naming the field."""
    field = "data.smtpAction"
    require(action.from_, f"{field}.from")
    require(action.to, f"{field}.to")
    require(action.subject, f"{field}.subject")
    body_ok = {
        "PLAIN": action.body is not None,
        "HTML": action.htmlBody is not None,
        "MULTIPART": action.body is not None and action.htmlBody is not None,
    }[action.contentType]
    if not body_ok:
        raise ConnectorInputError(
            f"{field}: Please provide a proper message body (contentType {action.contentType} "
            "needs "
            + {"PLAIN": "body", "HTML": "htmlBody", "MULTIPART": "body and htmlBody"}[
                action.contentType
            ]
            + ")"
        )
    assert action.from_ is not None and action.subject is not None
    sender = addresses(action.from_, f"{field}.from")
    if len(sender) != 1:
        raise ConnectorInputError(f"{field}.from: must be one address")
    to = addresses(action.to, f"{field}.to")
    cc = addresses(action.cc, f"{field}.cc")
    bcc = addresses(action.bcc, f"{field}.bcc")
    if not to + cc + bcc:
        raise ConnectorInputError(f"{field}.to: no recipient")

    message = EmailMessage(policy=SMTP)
    _set(message, "From", sender[0][0], f"{field}.from")
    if to:
        _set(message, "To", ", ".join(text for text, _ in to), f"{field}.to")
    if cc:
        _set(message, "Cc", ", ".join(text for text, _ in cc), f"{field}.cc")
    for name, value in _custom_headers(action.headers, f"{field}.headers"):
        _set(message, name, value, f"{field}.headers.{name}")
    _set(message, "Subject", action.subject, f"{field}.subject")
    if "Date" not in message:
        message["Date"] = format_datetime(_now(), usegmt=True)
    domain = sender[0][1].rsplit("@", 1)[-1]
    message_id = make_msgid(domain=domain)
    message["Message-ID"] = message_id
    _set_body(message, action)
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            item.data,
            maintype=maintype,
            subtype=subtype.split(";")[0].strip(),
            filename=item.name,
        )
    return Outgoing(
        message=message,
        sender=sender[0][1],
        recipients=[addr for _, addr in to + cc + bcc],
        message_id=message_id,
        subject=action.subject,
    )


def addresses(value: Any, field: str) -> list[tuple[str, str]]:
    """``(header text, addr-spec)`` for each address in a comma-separated string or a list."""
    if value is None:
        return []
    if isinstance(value, list):
        parts = [str(v) for v in value if v is not None and str(v).strip()]
        text = ",".join(parts)
    elif isinstance(value, str):
        text = value
    else:
        raise ConnectorInputError(f"{field}: must be text or a list of addresses")
    result: list[tuple[str, str]] = []
    for chunk in _split(text):
        [(name, addr)] = getaddresses([chunk]) or [("", "")]
        if not _ADDR_SPEC.match(addr or ""):
            raise ConnectorInputError(f"{field}: '{chunk.strip()}' is not an e-mail address")
        try:
            header = str(Address(display_name=name, addr_spec=addr)) if name else addr
        except (ValueError, IndexError):
            raise ConnectorInputError(
                f"{field}: '{chunk.strip()}' is not an e-mail address"
            ) from None
        result.append((header, addr))
    return result


def _split(text: str) -> list[str]:
    """Split at commas outside quotes and angle brackets."""
    parts: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for char in text:
        if char == '"' and not angled:
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        if char == "," and not quoted and not angled:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _custom_headers(headers: dict[str, Any] | None, field: str) -> list[tuple[str, str]]:
    if not headers:
        return []
    result: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not _HEADER_NAME.match(str(name)):
            raise ConnectorInputError(f"{field}: '{name}' is not a valid header name")
        if value is None:
            continue
        if isinstance(value, dict | list):
            raise ConnectorInputError(f"{field}.{name}: header values must be text")
        if str(name).lower() in ("message-id", "mime-version", "content-type"):
            continue  # generated, as Jakarta Mail regenerates them when sending
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        result.append((str(name), text))
    return result


def _set(message: EmailMessage, name: str, value: str, field: str) -> None:
    try:
        if name in message:
            del message[name]
        message[name] = value
    except (ValueError, TypeError) as exc:
        raise ConnectorInputError(f"{field}: {exc}") from None


def _set_body(message: EmailMessage, action: SmtpSendEmail) -> None:
    if action.contentType == "HTML":
        message.set_content(action.htmlBody or "", subtype="html", charset="utf-8")
    else:
        message.set_content(action.body or "", subtype="plain", charset="utf-8")
        if action.contentType == "MULTIPART":
            message.add_alternative(action.htmlBody or "", subtype="html", charset="utf-8")
    message.make_mixed()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
