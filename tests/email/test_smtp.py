"""Sending over SMTP against real aiosmtpd servers on loopback: plain, STARTTLS, implicit TLS,
AUTH; the message Camunda's connector would send and its result shape
(camunda/connectors connectors/email/.../client/jakarta/outbound/JakartaEmailActionExecutor.java
``smtpSendEmail``; .../response/SendEmailResponse.java)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
import trustme

from connectors.email import aclose, email
from connectors.email.errors import EmailAuthenticationError, EmailCommandError, EmailConnectError
from connectors.sdk import ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.email.conftest import SMTP_USERS, server_context
from tests.email.smtp_server import SmtpServer
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]
USER, PASSWORD = next(iter(SMTP_USERS.items()))


def send_variables(
    server: SmtpServer | int,
    security: str = "NONE",
    *,
    auth: dict[str, Any] | None = None,
    **action: Any,
) -> dict[str, Any]:
    smtp_action = {
        "from": "process@example.com",
        "to": "alice@example.com",
        "subject": "Order 7 shipped",
        "contentType": "PLAIN",
        "body": "Your order is on its way.",
        **action,
    }
    return {
        "authentication": auth or {"type": "noAuth"},
        "protocol": "smtp",
        "data": {
            "smtpActionDiscriminator": "sendEmailSmtp",
            "smtpAction": smtp_action,
            "smtpConfig": {
                "smtpHost": "127.0.0.1",
                "smtpPort": server if isinstance(server, int) else server.port,
                "smtpCryptographicProtocol": security,
            },
        },
    }


LOGIN = {"type": "simple", "username": USER, "password": PASSWORD}


async def test_plain_text_to_cc_bcc_and_the_result_shape(smtp_plain: SmtpServer) -> None:
    before = len(smtp_plain.received)
    result = await arun_connector(
        email,
        send_variables(
            smtp_plain,
            to="alice@example.com, Bob Builder <bob@example.com>",
            cc=["carol@example.com"],
            bcc="hidden@example.com",
            headers={"X-Order": "7", "X-Priority": 1},
        ),
    )
    [got] = smtp_plain.received[before:]
    message = got.message
    assert result == {
        "subject": "Order 7 shipped",
        "sent": True,
        "messageId": message["Message-ID"],
    }
    assert result["messageId"].startswith("<") and result["messageId"].endswith("@example.com>")
    assert got.mail_from == "process@example.com"
    assert got.rcpt_tos == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
        "hidden@example.com",
    ]
    assert message["To"] == "alice@example.com, Bob Builder <bob@example.com>"
    assert message["Cc"] == "carol@example.com"
    assert "Bcc" not in message  # Bcc recipients get it, but no header names them
    assert (message["X-Order"], message["X-Priority"]) == ("7", "1")
    assert message.get_content_type() == "multipart/mixed"  # as Jakarta's MimeMultipart
    [text] = list(message.iter_parts())
    assert text.get_content_type() == "text/plain"
    assert text.get_content().strip() == "Your order is on its way."
    assert not got.tls and got.login is None


async def test_html_and_multipart_bodies(smtp_plain: SmtpServer) -> None:
    await arun_connector(
        email, send_variables(smtp_plain, contentType="HTML", body=None, htmlBody="<b>Hi</b>")
    )
    html = smtp_plain.received[-1].message
    [part] = list(html.iter_parts())
    assert part.get_content_type() == "text/html" and part.get_content().strip() == "<b>Hi</b>"

    await arun_connector(
        email, send_variables(smtp_plain, contentType="MULTIPART", body="Hi", htmlBody="<b>Hi</b>")
    )
    both = smtp_plain.received[-1].message
    [alternative] = list(both.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]


async def test_a_body_the_content_type_needs_is_an_input_error(smtp_plain: SmtpServer) -> None:
    """SmtpSendEmail.isEmailMessageValid: 'Please provide a proper message body'."""
    with pytest.raises(ConnectorInputError, match="Please provide a proper message body"):
        await arun_connector(email, send_variables(smtp_plain, contentType="MULTIPART"))


async def test_starttls_then_auth(smtp_starttls: SmtpServer) -> None:
    """TLS: STARTTLS when the server offers it (Jakarta's mail.smtp.starttls.enable)."""
    await arun_connector(email, send_variables(smtp_starttls, "TLS", auth=LOGIN))
    got = smtp_starttls.received[-1]
    assert got.tls and got.login == USER


async def test_tls_falls_back_to_plain_when_starttls_is_not_offered(
    smtp_plain: SmtpServer,
) -> None:
    """starttls.enable without starttls.required: opportunistic, as Jakarta Mail."""
    await arun_connector(email, send_variables(smtp_plain, "TLS"))
    assert not smtp_plain.received[-1].tls


async def test_none_never_upgrades(smtp_offers_starttls: SmtpServer) -> None:
    await arun_connector(email, send_variables(smtp_offers_starttls, "NONE", auth=LOGIN))
    got = smtp_offers_starttls.received[-1]
    assert not got.tls and got.login == USER


async def test_ssl_is_tls_from_the_first_byte(smtp_implicit_tls: SmtpServer) -> None:
    await arun_connector(email, send_variables(smtp_implicit_tls, "SSL", auth=LOGIN))
    got = smtp_implicit_tls.received[-1]
    assert got.tls and got.login == USER


async def test_bad_credentials_fail_without_a_code(smtp_starttls: SmtpServer) -> None:
    wrong = {**LOGIN, "password": "wrong-password"}
    with pytest.raises(EmailAuthenticationError) as failed:
        await arun_connector(email, send_variables(smtp_starttls, "TLS", auth=wrong))
    assert failed.value.code is None
    assert "535" in failed.value.message
    assert "wrong-password" not in failed.value.message


async def test_an_untrusted_certificate_fails(
    smtp_implicit_tls: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWITCHBOARD_EMAIL_CA_FILE")
    with pytest.raises(EmailConnectError, match="certificate"):
        await arun_connector(email, send_variables(smtp_implicit_tls, "SSL", auth=LOGIN))


async def test_an_unreachable_server_fails_without_a_code() -> None:
    from tests.support.dovecot import free_port

    variables = send_variables(free_port(), "NONE")
    with pytest.raises(EmailConnectError, match="Could not connect") as failed:
        await arun_connector(email, variables)
    assert failed.value.code is None


async def test_a_refused_recipient_fails(smtp_plain: SmtpServer) -> None:
    with pytest.raises(EmailCommandError, match=r"refused@example\.com"):
        await arun_connector(email, send_variables(smtp_plain, to="refused@example.com"))


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("to", "not an address", "is not an e-mail address"),
        ("from", "a@example.com, b@example.com", "must be one address"),
        ("headers", {"Bad Name": "x"}, "is not a valid header name"),
        ("headers", {"X-Evil": "a\r\nBcc: victim@example.com"}, "headers.X-Evil"),
    ],
)
async def test_bad_input_names_the_field(
    smtp_plain: SmtpServer, field: str, value: Any, reason: str
) -> None:
    with pytest.raises(ConnectorInputError, match=reason) as failed:
        await arun_connector(email, send_variables(smtp_plain, **{field: value}))
    assert f"data.smtpAction.{field}" in failed.value.message


async def test_inline_and_base64_attachments(smtp_plain: SmtpServer) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00binary"
    attachments = [
        {"camunda.document.type": "inline", "content": "a,b\n1,2\n", "name": "data.csv"},
        {
            "camunda.document.type": "inline",
            "content": base64.b64encode(png).decode(),
            "encoding": "base64",
            "name": "logo.png",
        },
        {"camunda.document.type": "inline", "content": {"k": 1}, "contentType": "application/json"},
    ]
    await arun_connector(email, send_variables(smtp_plain, attachments=attachments))
    message = smtp_plain.received[-1].message
    found = [
        (p.get_filename(), p.get_content_type(), p.get_content())
        for p in message.iter_attachments()
    ]
    assert found[0] == ("data.csv", "text/csv", "a,b\n1,2\n")
    assert found[1] == ("logo.png", "image/png", png)
    name, kind, content = found[2]
    assert kind == "application/json" and content == b'{"k":1}' and len(name) == 36  # a UUID


async def test_a_camunda_document_is_refused_with_a_clear_input_error(
    smtp_plain: SmtpServer,
) -> None:
    reference = {"camunda.document.type": "camunda", "documentId": "d1", "storeId": "s"}
    with pytest.raises(ConnectorInputError, match=r"attachments\[0\]: Camunda documents"):
        await arun_connector(email, send_variables(smtp_plain, attachments=[reference]))


async def test_connections_are_reused_and_bounded_per_server(
    mail_ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_EMAIL_MAX_CONNECTIONS", "2")
    server = SmtpServer(server_context(mail_ca), tls="starttls", users=SMTP_USERS).start()
    try:
        variables = send_variables(server, "TLS", auth=LOGIN)
        await asyncio.gather(*(arun_connector(email, variables) for _ in range(12)))
        assert len(server.received) == 12
        assert server.stats.peak <= 2  # never more than the limit at once
        assert server.stats.total <= 2  # idle connections were reused
        await arun_connector(email, variables)
        assert server.stats.total <= 2 and len(server.received) == 13
        await aclose()  # the shutdown hook closes the idle ones (QUIT)
        await eventually(lambda: server.stats.open == 0, what="the pooled connections to close")
    finally:
        server.stop()
