"""IMAP operations against a real Dovecot on loopback, with Camunda's result shapes
(camunda/connectors connectors/email/.../client/jakarta/outbound/JakartaEmailActionExecutor.java
``imapListEmails``, ``imapSearchEmails``, ``imapReadEmail``, ``imapDeleteEmail``,
``imapMoveEmails``; .../response/*.java; folder paths: .../utils/JakartaUtils.java
``findImapFolder`` and ``moveMessage``)."""

from __future__ import annotations

import base64
import datetime as dt
import time
from typing import Any

import pytest

from connectors.email import email
from connectors.email.errors import EmailAuthenticationError, EmailConnectError, EmailNotFound
from connectors.sdk import ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.email.messages import message
from tests.support.dovecot import Dovecot, MailUser, free_port

pytestmark = pytest.mark.timeout(60)


def imap_variables(
    dovecot: Dovecot, user: MailUser, action: str, security: str = "TLS", **fields: Any
) -> dict[str, Any]:
    port = dovecot.imaps_port if security in ("TLS", "SSL") else dovecot.imap_port
    return {
        "authentication": {"type": "simple", "username": user.username, "password": user.password},
        "protocol": "imap",
        "data": {
            "imapActionDiscriminator": action,
            "imapAction": fields,
            "imapConfig": {
                "imapHost": "127.0.0.1",
                "imapPort": port,
                "imapCryptographicProtocol": security,
            },
        },
    }


def seed(dovecot: Dovecot, user: MailUser) -> None:
    """Three messages: received in order a, b, c; sent in order c, a, b; sizes b < a < c."""
    now = time.time()
    day = dt.timedelta(days=1)
    base = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    dovecot.append(
        user, message("<a@test>", "Invoice 1", sent=base, padding=200), received=now - 300
    )
    dovecot.append(
        user,
        message("<b@test>", "Receipt", sender="carol@example.com", sent=base + day),
        received=now - 200,
    )
    dovecot.append(
        user, message("<c@test>", "Invoice 2", sent=base - day, padding=900), received=now - 100
    )


@pytest.mark.parametrize("security", ["TLS", "SSL", "NONE"])
async def test_list_sorted_and_limited(dovecot: Dovecot, mailbox: MailUser, security: str) -> None:
    seed(dovecot, mailbox)
    listed = await arun_connector(
        email,
        imap_variables(
            dovecot,
            mailbox,
            "listEmailsImap",
            security,
            maxToBeRead=100,
            sortField="RECEIVED_DATE",
            sortOrder="ASC",
        ),
    )
    assert [e["messageId"] for e in listed] == ["<a@test>", "<b@test>", "<c@test>"]
    assert listed[1] == {
        "messageId": "<b@test>",
        "fromAddress": "carol@example.com",
        "subject": "Receipt",
        "size": listed[1]["size"],
    }
    assert isinstance(listed[1]["size"], int) and listed[1]["size"] > 0

    async def order(field: str, direction: str, limit: int = 100) -> list[str]:
        found = await arun_connector(
            email,
            imap_variables(
                dovecot,
                mailbox,
                "listEmailsImap",
                security,
                maxToBeRead=limit,
                sortField=field,
                sortOrder=direction,
            ),
        )
        return [e["messageId"] for e in found]

    assert await order("SENT_DATE", "ASC") == ["<c@test>", "<a@test>", "<b@test>"]
    assert await order("SIZE", "DESC") == ["<c@test>", "<a@test>", "<b@test>"]
    assert await order("RECEIVED_DATE", "DESC", limit=2) == ["<c@test>", "<b@test>"]


async def test_list_does_not_mark_messages_seen(dovecot: Dovecot, mailbox: MailUser) -> None:
    seed(dovecot, mailbox)
    await arun_connector(email, imap_variables(dovecot, mailbox, "listEmailsImap"))
    await arun_connector(
        email, imap_variables(dovecot, mailbox, "readEmailImap", messageId="<a@test>")
    )
    client = dovecot.imap(mailbox)
    try:
        client.select("INBOX", readonly=True)
        _, data = client.search(None, "UNSEEN")
        assert len(data[0].split()) == 3
    finally:
        client.logout()


async def test_search_and_or(dovecot: Dovecot, mailbox: MailUser) -> None:
    seed(dovecot, mailbox)

    async def search(criteria: Any) -> list[dict[str, Any]]:
        return await arun_connector(
            email, imap_variables(dovecot, mailbox, "searchEmailsImap", criteria=criteria)
        )

    found = await search({"field": "SUBJECT", "value": "invoice"})
    assert found == [
        {"messageId": "<a@test>", "subject": "Invoice 1"},
        {"messageId": "<c@test>", "subject": "Invoice 2"},
    ]
    both = {
        "operator": "AND",
        "criteria": [
            {"field": "SUBJECT", "value": "Invoice"},
            {"field": "FROM", "value": "bob@example.com"},
        ],
    }
    assert [f["messageId"] for f in await search(both)] == ["<a@test>", "<c@test>"]
    either = {
        "operator": "OR",
        "criteria": [
            {"field": "SUBJECT", "value": "Receipt"},
            {"field": "SUBJECT", "value": "Invoice 2"},
            {"field": "BODY", "value": "nothing like this"},
        ],
    }
    assert [f["messageId"] for f in await search(either)] == ["<b@test>", "<c@test>"]
    assert await search({"field": "BODY", "value": "no such text"}) == []


@pytest.mark.parametrize(
    ("criteria", "reason"),
    [
        (None, "required for a search"),
        ({"field": "TO", "value": "x"}, "must be FROM, SUBJECT or BODY"),
        ({"operator": "XOR", "criteria": [{"field": "SUBJECT", "value": "x"}]}, "AND or OR"),
        ({"field": "SUBJECT", "value": "Grüße"}, "must be ASCII"),
    ],
)
async def test_bad_criteria_are_input_errors(
    dovecot: Dovecot, mailbox: MailUser, criteria: Any, reason: str
) -> None:
    with pytest.raises(ConnectorInputError, match=reason) as failed:
        await arun_connector(
            email, imap_variables(dovecot, mailbox, "searchEmailsImap", criteria=criteria)
        )
    assert "data.imapAction.criteria" in failed.value.message


async def test_read_returns_bodies_headers_and_attachments(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    binary = bytes(range(256))
    dovecot.append(
        mailbox,
        message(
            "<read@test>",
            "Report",
            text="plain part",
            html="<p>html part</p>",
            attachments=[
                ("notes.txt", "text/plain", b"some notes"),
                ("blob.bin", "application/octet-stream", binary),
            ],
        ),
        received=time.time(),
    )
    read = await arun_connector(
        email, imap_variables(dovecot, mailbox, "readEmailImap", messageId="<read@test>")
    )
    assert read["messageId"] == "<read@test>"
    assert read["fromAddress"] == "bob@example.com"
    assert read["subject"] == "Report"
    assert read["plainTextBody"].strip() == "plain part"
    assert read["htmlBody"].strip() == "<p>html part</p>"
    assert read["errors"] == []
    assert {"key": "Subject", "value": "Report"} in read["headers"]
    assert read["size"] > 0 and read["receivedDateTime"].endswith("Z")
    notes, blob = read["attachments"]
    assert notes == {
        "camunda.document.type": "inline",
        "name": "notes.txt",
        "contentType": "text/plain",
        "content": "some notes",
    }
    assert blob["encoding"] == "base64" and base64.b64decode(blob["content"]) == binary


async def test_read_an_unknown_message_fails_with_retries(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    with pytest.raises(EmailNotFound, match="Could not find an email ID") as failed:
        await arun_connector(
            email, imap_variables(dovecot, mailbox, "readEmailImap", messageId="<none@test>")
        )
    assert failed.value.code is None


async def test_delete(dovecot: Dovecot, mailbox: MailUser) -> None:
    seed(dovecot, mailbox)
    result = await arun_connector(
        email, imap_variables(dovecot, mailbox, "deleteEmailImap", messageId="<b@test>")
    )
    assert result == {"messageId": "<b@test>", "deleted": True}
    assert dovecot.message_ids(mailbox) == ["<a@test>", "<c@test>"]


async def test_move_creates_the_dotted_target_folder(dovecot: Dovecot, mailbox: MailUser) -> None:
    seed(dovecot, mailbox)
    result = await arun_connector(
        email,
        imap_variables(
            dovecot,
            mailbox,
            "moveEmailImap",
            messageId="<a@test>",
            fromFolder="INBOX",
            toFolder="Archive.2025",
        ),
    )
    assert result == {"messageId": "<a@test>", "from": "INBOX", "to": "Archive.2025"}
    assert dovecot.message_ids(mailbox) == ["<b@test>", "<c@test>"]
    assert dovecot.message_ids(mailbox, "Archive.2025") == ["<a@test>"]
    # Then read it there, and list the sub-folder by its slashed path.
    read = await arun_connector(
        email,
        imap_variables(
            dovecot, mailbox, "readEmailImap", messageId="<a@test>", readEmailFolder="Archive/2025"
        ),
    )
    assert read["subject"] == "Invoice 1"


async def test_a_missing_folder_fails(dovecot: Dovecot, mailbox: MailUser) -> None:
    with pytest.raises(EmailNotFound, match="Folder Nope does not exist"):
        await arun_connector(
            email, imap_variables(dovecot, mailbox, "listEmailsImap", listEmailsFolder="Nope")
        )


async def test_bad_credentials_fail_without_a_code(dovecot: Dovecot, mailbox: MailUser) -> None:
    variables = imap_variables(dovecot, mailbox, "listEmailsImap")
    variables["authentication"]["password"] = "wrong-password"
    with pytest.raises(EmailAuthenticationError, match="AUTHENTICATIONFAILED") as failed:
        await arun_connector(email, variables)
    assert failed.value.code is None and "wrong-password" not in failed.value.message


async def test_an_unreachable_server_fails(dovecot: Dovecot, mailbox: MailUser) -> None:
    variables = imap_variables(dovecot, mailbox, "listEmailsImap")
    variables["data"]["imapConfig"]["imapPort"] = free_port()
    with pytest.raises(EmailConnectError, match="Could not connect"):
        await arun_connector(email, variables)


async def test_no_authentication_is_refused_for_imap(dovecot: Dovecot, mailbox: MailUser) -> None:
    variables = imap_variables(dovecot, mailbox, "listEmailsImap")
    variables["authentication"] = {"type": "noAuth"}
    with pytest.raises(ConnectorInputError, match="only supported for SMTP"):
        await arun_connector(email, variables)


async def test_sessions_are_reused(dovecot: Dovecot, mailbox: MailUser) -> None:
    seed(dovecot, mailbox)
    line = f"imap-login: Info: Login: user=<{mailbox.username}>"
    seeded = dovecot.log.count(line)
    variables = imap_variables(dovecot, mailbox, "listEmailsImap")
    for _ in range(3):
        assert len(await arun_connector(email, variables)) == 3
    assert dovecot.log.count(line) - seeded == 1  # one login, three operations
