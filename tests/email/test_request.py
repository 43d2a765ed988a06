"""Which server and login a job uses, how the template's variables bind, and URL attachments
(camunda/connectors connectors/email/.../outbound/model/EmailRequest.java: a bound credential
wins over the inline fields; its @AssertTrue messages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.email import email
from connectors.email.errors import EmailError
from connectors.email.models import EmailInput, ImapData, ImapReadEmail
from connectors.email.request import Login, Server, effective
from connectors.sdk import ConnectorInputError, bind
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer, Reply
from tests.email.smtp_server import SmtpServer


def imap_job(**extra: Any) -> dict[str, Any]:
    return {
        "protocol": "imap",
        "authentication": {"type": "simple", "username": "inline", "password": "inline-pw"},
        "data": {
            "imapActionDiscriminator": "readEmailImap",
            "imapAction": {"messageId": "<x@y>"},
            "imapConfig": {"imapHost": " mail.example.com ", "imapPort": "993"},
        },
        **extra,
    }


def test_the_external_discriminators_select_the_variants() -> None:
    request = bind(EmailInput, imap_job())
    assert isinstance(request.data, ImapData)
    assert isinstance(request.data.imapAction, ImapReadEmail)
    server, login = effective(request)
    assert server == Server("imap", "mail.example.com", 993, "TLS")
    assert (login.username, login.password) == ("inline", "inline-pw")
    shown = repr(login) + repr(request) + str(request) + str(request.authentication)
    assert "inline-pw" not in shown


def test_a_bound_credential_wins_over_the_inline_fields() -> None:
    account = {
        "protocol": "imap",
        "username": "stored",
        "password": "stored-pw",
        "imapHost": "imap.example.com",
        "imapPort": 143,
        "imapCryptographicProtocol": "none",
    }
    # Leftover inline values (an authentication type without login) do not count.
    job = imap_job(emailAccountConfiguration=account, authentication={"type": "simple"})
    request = bind(EmailInput, job)
    server, login = effective(request)
    assert "stored-pw" not in repr(request) + str(request)
    assert server == Server("imap", "imap.example.com", 143, "NONE")
    assert login == Login("stored", "stored-pw")


def test_a_credential_in_the_older_shape_gives_the_tasks_protocol() -> None:
    account = {"username": "u", "password": "p", "smtpHost": "smtp.x", "imapHost": "imap.x"}
    server, _ = effective(bind(EmailInput, imap_job(emailAccountConfiguration=account)))
    assert server == Server("imap", "imap.x", 993, "TLS")  # port and TLS default


@pytest.mark.parametrize(
    ("job", "message"),
    [
        (
            imap_job(
                emailAccountConfiguration={
                    "protocol": "smtp",
                    "username": "u",
                    "password": "p",
                    "smtpHost": "s",
                }
            ),
            "No email server settings provided by the credential or the element template",
        ),
        (imap_job(authentication=None), "No authentication provided by the credential"),
        (
            imap_job(authentication={"type": "simple", "username": "u"}),
            "authentication.password: required",
        ),
        (
            {**imap_job(), "data": {**imap_job()["data"], "imapConfig": {"imapPort": 993}}},
            "data.imapConfig.imapHost: required",
        ),
    ],
)
def test_what_is_missing_is_named(job: dict[str, Any], message: str) -> None:
    with pytest.raises(ConnectorInputError, match=message):
        effective(bind(EmailInput, job))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"protocol": "fax"}, "data.protocol"),
        ({"data": {"imapActionDiscriminator": "burnEmailImap", "imapAction": {}}}, "imapAction"),
        (
            {
                "data": {
                    "imapActionDiscriminator": "listEmailsImap",
                    "imapAction": {"sortField": "COLOUR"},
                }
            },
            "data.imapAction.sortField",
        ),
    ],
)
def test_binding_errors_name_the_field(change: dict[str, Any], path: str) -> None:
    with pytest.raises(ConnectorInputError, match=path):
        bind(EmailInput, {**imap_job(), **change})


@pytest.fixture(scope="module")
def files() -> Iterator[LoopbackServer]:
    server = LoopbackServer().start()
    server.routes["/report"] = lambda seen: Reply(
        body=b"%PDF-1.4 fake",
        headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Disposition", 'attachment; filename="report.pdf"'),
        ],
    )
    server.routes["/gone"] = lambda seen: Reply(status=404, body="missing")
    yield server
    server.stop()


async def test_url_attachments_are_downloaded(
    smtp_plain: SmtpServer, files: LoopbackServer
) -> None:
    job = {
        "authentication": {"type": "noAuth"},
        "protocol": "smtp",
        "data": {
            "smtpConfig": {
                "smtpHost": "127.0.0.1",
                "smtpPort": smtp_plain.port,
                "smtpCryptographicProtocol": "NONE",
            },
            "smtpAction": {
                "from": "a@example.com",
                "to": "b@example.com",
                "subject": "s",
                "body": "b",
                "attachments": [{"camunda.document.type": "external", "url": files.url("/report")}],
            },
        },
    }
    await arun_connector(email, job)
    [part] = list(smtp_plain.received[-1].message.iter_attachments())
    assert (part.get_filename(), part.get_content_type()) == ("report.pdf", "application/pdf")
    assert part.get_content() == b"%PDF-1.4 fake"

    job["data"]["smtpAction"]["attachments"] = [
        {"camunda.document.type": "external", "url": files.url("/gone"), "name": "x.txt"}
    ]
    with pytest.raises(EmailError, match="HTTP 404") as failed:
        await arun_connector(email, job)
    assert failed.value.code is None
