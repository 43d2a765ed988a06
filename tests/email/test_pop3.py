"""POP3 operations against a real Dovecot on loopback (camunda/connectors
connectors/email/.../client/jakarta/outbound/JakartaEmailActionExecutor.java ``pop3ListEmails``,
``pop3SearchEmails``, ``pop3ReadEmail``, ``pop3DeleteEmail``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from connectors.email import email
from connectors.email.errors import EmailAuthenticationError, EmailNotFound
from connectors.sdk.testing import arun_connector
from tests.email.messages import message
from tests.support.dovecot import Dovecot, MailUser

pytestmark = pytest.mark.timeout(60)


def pop3_variables(
    dovecot: Dovecot, user: MailUser, action: str, security: str = "TLS", **fields: Any
) -> dict[str, Any]:
    port = dovecot.pop3s_port if security in ("TLS", "SSL") else dovecot.pop3_port
    return {
        "authentication": {"type": "simple", "username": user.username, "password": user.password},
        "protocol": "pop3",
        "data": {
            "pop3ActionDiscriminator": action,
            "pop3Action": fields,
            "pop3Config": {
                "pop3Host": "127.0.0.1",
                "pop3Port": port,
                "pop3CryptographicProtocol": security,
            },
        },
    }


def seed(dovecot: Dovecot, user: MailUser) -> None:
    base = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    dovecot.append(user, message("<p1@test>", "Invoice 1", sent=base, padding=300))
    dovecot.append(user, message("<p2@test>", "Receipt", sent=base - day, text="pay now"))
    dovecot.append(user, message("<p3@test>", "Invoice 2", sent=base + day, padding=50))


@pytest.mark.parametrize("security", ["SSL", "NONE"])
async def test_list_sorted_by_sent_date_and_size(
    dovecot: Dovecot, mailbox: MailUser, security: str
) -> None:
    seed(dovecot, mailbox)

    async def order(field: str, direction: str, limit: int = 100) -> list[dict[str, Any]]:
        return await arun_connector(
            email,
            pop3_variables(
                dovecot,
                mailbox,
                "listEmailsPop3",
                security,
                maxToBeRead=limit,
                sortField=field,
                sortOrder=direction,
            ),
        )

    by_date = await order("SENT_DATE", "ASC")
    assert [e["messageId"] for e in by_date] == ["<p2@test>", "<p1@test>", "<p3@test>"]
    assert by_date[0]["fromAddress"] == "bob@example.com" and by_date[0]["subject"] == "Receipt"
    assert [e["messageId"] for e in await order("SIZE", "DESC", 2)] == ["<p1@test>", "<p3@test>"]


async def test_search_matches_here_as_jakarta_does(dovecot: Dovecot, mailbox: MailUser) -> None:
    seed(dovecot, mailbox)

    async def search(criteria: Any) -> list[str]:
        found = await arun_connector(
            email, pop3_variables(dovecot, mailbox, "searchEmailsPop3", criteria=criteria)
        )
        return [f["messageId"] for f in found]

    assert await search({"field": "SUBJECT", "value": "INVOICE"}) == ["<p1@test>", "<p3@test>"]
    assert await search({"field": "BODY", "value": "Pay Now"}) == ["<p2@test>"]
    assert await search({"field": "FROM", "value": "BOB@example.com"}) == [
        "<p1@test>",
        "<p2@test>",
        "<p3@test>",
    ]
    assert await search({"field": "FROM", "value": "bo@example.com"}) == []  # address equality
    assert await search(
        {
            "operator": "AND",
            "criteria": [
                {"field": "SUBJECT", "value": "invoice"},
                {"field": "SUBJECT", "value": "2"},
            ],
        }
    ) == ["<p3@test>"]


async def test_read_leaves_the_message_and_delete_removes_it(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    """The template warns that reading deletes over POP3; Camunda's pop3ReadEmail marks
    nothing deleted, so neither do we."""
    seed(dovecot, mailbox)
    read = await arun_connector(
        email, pop3_variables(dovecot, mailbox, "readEmailPop3", messageId="<p2@test>")
    )
    assert read["subject"] == "Receipt"
    assert read["plainTextBody"].strip() == "pay now"
    assert read["receivedDateTime"] is None  # POP3 knows no arrival time
    assert dovecot.message_ids(mailbox) == ["<p1@test>", "<p2@test>", "<p3@test>"]

    deleted = await arun_connector(
        email, pop3_variables(dovecot, mailbox, "deleteEmailPop3", messageId="<p2@test>")
    )
    assert deleted == {"messageId": "<p2@test>", "deleted": True}
    assert dovecot.message_ids(mailbox) == ["<p1@test>", "<p3@test>"]


async def test_an_unknown_message_fails_and_deletes_nothing(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    seed(dovecot, mailbox)
    with pytest.raises(EmailNotFound, match="No emails have been found with this ID") as failed:
        await arun_connector(
            email, pop3_variables(dovecot, mailbox, "deleteEmailPop3", messageId="<zz@test>")
        )
    assert failed.value.code is None
    assert len(dovecot.message_ids(mailbox)) == 3


async def test_bad_credentials(dovecot: Dovecot, mailbox: MailUser) -> None:
    variables = pop3_variables(dovecot, mailbox, "listEmailsPop3")
    variables["authentication"]["password"] = "wrong"
    with pytest.raises(EmailAuthenticationError, match="Authentication failed"):
        await arun_connector(email, variables)
