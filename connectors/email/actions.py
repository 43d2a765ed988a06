"""The operations of Camunda's e-mail connector, with its result shapes (camunda/connectors
``.../client/jakarta/outbound/JakartaEmailActionExecutor.java`` and ``.../response/*.java``).

IMAP lists, searches and reads open the folder read-only (no flag changes); deletes and moves
open it read-write. POP3 works on its single mailbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors._http.download import download
from connectors.email import imap, pop3, smtp
from connectors.email.attachments import resolve
from connectors.email.compose import compose
from connectors.email.errors import EmailNotFound
from connectors.email.imap import ImapSession
from connectors.email.models import (
    ImapDeleteEmail,
    ImapListEmails,
    ImapMoveEmail,
    ImapReadEmail,
    ImapSearchEmails,
    Pop3DeleteEmail,
    Pop3ListEmails,
    Pop3ReadEmail,
    Pop3SearchEmails,
    SmtpSendEmail,
)
from connectors.email.parse import Email, parse
from connectors.email.pop3 import Pop3Session
from connectors.email.request import Login, Server, required
from connectors.email.search import Combined, Criteria, imap_query, matches, parse_criteria
from connectors.sdk import ConnectorInputError

NOT_FOUND_BY_ID = "No emails have been found with this ID"


# --- SMTP ---------------------------------------------------------------------------------


async def send_email(action: SmtpSendEmail, server: Server, login: Login) -> dict[str, Any]:
    needs_download = _has_external(action.attachments)
    files = await resolve(action.attachments, download if needs_download else None)
    outgoing = compose(action, files)
    await smtp.send(server, login, outgoing)
    return {"subject": outgoing.subject, "sent": True, "messageId": outgoing.message_id}


def _has_external(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(i, dict) and i.get("camunda.document.type") == "external" for i in items)


# --- IMAP ---------------------------------------------------------------------------------


async def imap_list(action: ImapListEmails, server: Server, login: Login) -> list[dict[str, Any]]:
    _positive(action.maxToBeRead, "data.imapAction.maxToBeRead")

    def work(session: ImapSession) -> list[dict[str, Any]]:
        session.open_folder(session.folder(action.listEmailsFolder), writable=False)
        emails = [
            parse(item.data, with_body=False, size=item.size, received_at=item.received_at)
            for item in _all_headers(session)
        ]
        ordered = _sorted(emails, action.sortField, action.sortOrder)
        return [email.summary() for email in ordered[: action.maxToBeRead]]

    return await imap.run(server, login, work)


async def imap_search(
    action: ImapSearchEmails, server: Server, login: Login
) -> list[dict[str, Any]]:
    where = "data.imapAction.criteria"
    query = imap_query(parse_criteria(action.criteria, where), where)

    def work(session: ImapSession) -> list[dict[str, Any]]:
        session.open_folder(session.folder(action.searchEmailFolder), writable=False)
        uids = session.search(query)
        if not uids:
            return []
        found = {item.uid: item for item in session.fetch(_uid_set(uids), body=False)}
        result = []
        for uid in uids:
            if uid in found:
                email = parse(found[uid].data, with_body=False)
                result.append({"messageId": email.message_id, "subject": email.subject})
        return result

    return await imap.run(server, login, work)


async def imap_read(action: ImapReadEmail, server: Server, login: Login) -> dict[str, Any]:
    message_id = required(action.messageId, "data.imapAction.messageId")

    def work(session: ImapSession) -> dict[str, Any]:
        session.open_folder(session.folder(action.readEmailFolder), writable=False)
        uid = session.find_message_id(message_id)
        fetched = session.fetch(str(uid), body=True) if uid is not None else []
        if not fetched:
            raise EmailNotFound("Could not find an email ID")
        item = fetched[0]
        email = parse(item.data, with_body=True, size=item.size, received_at=item.received_at)
        return email.read_response()

    return await imap.run(server, login, work)


async def imap_delete(action: ImapDeleteEmail, server: Server, login: Login) -> dict[str, Any]:
    message_id = required(action.messageId, "data.imapAction.messageId")

    def work(session: ImapSession) -> dict[str, Any]:
        session.open_folder(session.folder(action.deleteEmailFolder), writable=True)
        uid = session.find_message_id(message_id)
        if uid is None:
            raise EmailNotFound(NOT_FOUND_BY_ID)
        session.delete(uid)
        return {"messageId": message_id, "deleted": True}

    return await imap.run(server, login, work)


async def imap_move(action: ImapMoveEmail, server: Server, login: Login) -> dict[str, Any]:
    message_id = required(action.messageId, "data.imapAction.messageId")
    source = required(action.fromFolder, "data.imapAction.fromFolder")
    target_path = required(action.toFolder, "data.imapAction.toFolder")

    def work(session: ImapSession) -> dict[str, Any]:
        session.open_folder(session.folder(source), writable=True)
        uid = session.find_message_id(message_id)
        if uid is None:
            raise EmailNotFound(f"Email with messageId {message_id} does not exist")
        target = session.mailbox(target_path)
        if not session.exists(target):
            session.create(target)
        session.move(uid, target)
        return {"messageId": message_id, "from": source, "to": target_path}

    return await imap.run(server, login, work)


def _all_headers(session: ImapSession) -> list[Any]:
    uids = session.search("ALL")
    return session.fetch(_uid_set(uids), body=False) if uids else []


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)


# --- POP3 ---------------------------------------------------------------------------------


async def pop3_list(action: Pop3ListEmails, server: Server, login: Login) -> list[dict[str, Any]]:
    _positive(action.maxToBeRead, "data.pop3Action.maxToBeRead")

    def work(session: Pop3Session) -> list[dict[str, Any]]:
        emails = [email for _, email in session.each(body=False)]
        ordered = _sorted(emails, action.sortField, action.sortOrder)
        return [email.summary() for email in ordered[: action.maxToBeRead]]

    return await pop3.run(server, login, work)


async def pop3_search(
    action: Pop3SearchEmails, server: Server, login: Login
) -> list[dict[str, Any]]:
    criteria = parse_criteria(action.criteria, "data.pop3Action.criteria")
    body = _uses_body(criteria)

    def work(session: Pop3Session) -> list[dict[str, Any]]:
        return [
            {"messageId": email.message_id, "subject": email.subject}
            for _, email in session.each(body=body)
            if matches(criteria, email)
        ]

    return await pop3.run(server, login, work)


async def pop3_read(action: Pop3ReadEmail, server: Server, login: Login) -> dict[str, Any]:
    message_id = required(action.messageId, "data.pop3Action.messageId")

    def work(session: Pop3Session) -> dict[str, Any]:
        number, size = _pop3_find(session, message_id)
        return session.message(number, size).read_response()

    return await pop3.run(server, login, work)


async def pop3_delete(action: Pop3DeleteEmail, server: Server, login: Login) -> dict[str, Any]:
    message_id = required(action.messageId, "data.pop3Action.messageId")

    def work(session: Pop3Session) -> dict[str, Any]:
        number, _ = _pop3_find(session, message_id)
        session.delete(number)
        return {"messageId": message_id, "deleted": True}

    return await pop3.run(server, login, work)


def _pop3_find(session: Pop3Session, message_id: str) -> tuple[int, int]:
    found = session.find(message_id)
    if found is None:
        raise EmailNotFound(NOT_FOUND_BY_ID)
    return found


def _uses_body(criteria: Criteria) -> bool:
    if isinstance(criteria, Combined):
        return any(_uses_body(term) for term in criteria.terms)
    return criteria.field == "BODY"


# --- shared -------------------------------------------------------------------------------

_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _sorted(emails: list[Email], field: str, order: str) -> list[Email]:
    """Stable sort by received date, sent date or size; messages without one sort first
    (Camunda's comparator would fail on them)."""

    def key(email: Email) -> Any:
        if field == "SIZE":
            return email.size or 0
        value = email.received_at if field == "RECEIVED_DATE" else email.sent_at
        return value or _EARLIEST

    return sorted(emails, key=key, reverse=order == "DESC")


def _positive(value: int, field: str) -> None:
    if value < 0:
        raise ConnectorInputError(f"{field}: must be 0 or more")
