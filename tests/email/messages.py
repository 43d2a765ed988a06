"""Raw test messages."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime


def message(
    message_id: str,
    subject: str,
    *,
    sender: str = "Bob <bob@example.com>",
    sent: dt.datetime | None = None,
    text: str | None = "Hello from the test.",
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    padding: int = 0,
) -> bytes:
    mail = EmailMessage(policy=SMTP)
    mail["From"] = sender
    mail["To"] = "alice@example.com"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail["Date"] = format_datetime(sent or dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC))
    if padding:
        mail["X-Padding"] = "x" * padding
    if text is not None:
        mail.set_content(text)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    elif html is not None:
        mail.set_content(html, subtype="html")
    for name, kind, data in attachments:
        maintype, subtype = kind.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()
