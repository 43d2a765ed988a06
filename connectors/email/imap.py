"""IMAP, on the standard library's ``imaplib`` in the connector's bounded thread pool.

:class:`ImapSession` is a logged-in connection with the few commands the operations need
(folders by dotted path, Message-ID search, header and message fetches, flags, move); it has
no Camunda-specific result shapes, so an inbound (polling) connector can reuse it as it is.
Sessions are pooled per server and login (:func:`session`).

Why ``imaplib`` and not an asyncio client: aioimaplib (the maintained asyncio IMAP client)
refuses UID commands after ``EXAMINE``, the read-only open every list, search and read needs
so that they change no flags, and returns unparsed response lines; ``imaplib`` is complete,
parses literals, and runs here in a bounded pool of threads, one session per thread at a time.
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import re
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from connectors.email.errors import (
    EmailAuthenticationError,
    EmailCommandError,
    EmailConnectError,
    EmailError,
    EmailNotFound,
    describe,
)
from connectors.email.pool import Pool
from connectors.email.request import Login, Server
from connectors.email.search import quote
from connectors.email.state import EmailState, state

T = TypeVar("T")
INBOX = "INBOX"
_PATH_SPLIT = re.compile(r"[./]")
_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<sep>"(?:[^"\\]|\\.)*"|NIL) ')
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_INTERNALDATE = re.compile(rb'\bINTERNALDATE "([^"]+)"')


@dataclass
class Fetched:
    """One message from a FETCH: its UID, size, arrival time and the requested bytes."""

    uid: int
    size: int | None
    received_at: dt.datetime | None
    data: bytes


class ImapSession:
    """A logged-in IMAP connection. Blocking: use it from one thread at a time."""

    def __init__(self, client: imaplib.IMAP4) -> None:
        self.client = client
        self._separator: str | None = None

    @classmethod
    def open(
        cls, server: Server, login: Login, context: ssl.SSLContext, timeout: float
    ) -> ImapSession:
        """Connect (TLS unless the security is NONE) and log in."""
        where = f"{server.host}:{server.port}"
        try:
            if server.security == "NONE":
                client = imaplib.IMAP4(server.host, server.port, timeout=timeout)
            else:
                client = imaplib.IMAP4_SSL(
                    server.host, server.port, ssl_context=context, timeout=timeout
                )
        except (OSError, imaplib.IMAP4.error) as exc:
            raise EmailConnectError(
                f"Could not connect to the IMAP server {where}: {describe(exc)}"
            ) from None
        try:
            client.login(login.username or "", login.password or "")
        except imaplib.IMAP4.abort as exc:
            _close(client)
            raise EmailConnectError(
                f"The IMAP server {where} dropped the connection: {describe(exc)}"
            ) from None
        except imaplib.IMAP4.error as exc:
            _close(client)
            raise EmailAuthenticationError(
                f"Authentication failed at {where}: {describe(exc)}"
            ) from None
        except OSError as exc:
            _close(client)
            raise EmailConnectError(
                f"The IMAP server {where} did not answer: {describe(exc)}"
            ) from None
        return cls(client)

    def alive(self) -> bool:
        return self.client.noop()[0] == "OK"

    def close(self) -> None:
        _close(self.client)

    @property
    def capabilities(self) -> tuple[str, ...]:
        return tuple(str(c).upper() for c in self.client.capabilities)

    # --- folders -------------------------------------------------------------------------

    def separator(self) -> str:
        if self._separator is None:
            status, data = self.client.list('""', '""')
            self._separator = "."
            if status == "OK" and data and isinstance(data[0], bytes):
                match = _LIST_LINE.match(data[0])
                if match and match.group("sep") != b"NIL":
                    self._separator = match.group("sep")[1:-1].decode().replace("\\\\", "\\")
        return self._separator

    def mailbox(self, path: str | None) -> str:
        """A dotted (or slashed) path in the server's hierarchy; empty or INBOX: INBOX."""
        if path is None or not path.strip() or path.strip().upper() == INBOX:
            return INBOX
        return self.separator().join(_PATH_SPLIT.split(path.strip()))

    def exists(self, mailbox: str) -> bool:
        if mailbox == INBOX:
            return True
        status, data = self.client.list('""', quote(encode_mailbox(mailbox)))
        return status == "OK" and any(isinstance(item, bytes) and item for item in data)

    def folder(self, path: str | None) -> str:
        """The existing mailbox for ``path``; raises :class:`EmailNotFound`."""
        mailbox = self.mailbox(path)
        if not self.exists(mailbox):
            raise EmailNotFound(f"Folder {mailbox} does not exist")
        return mailbox

    def create(self, mailbox: str) -> None:
        self._ok(self.client.create(quote(encode_mailbox(mailbox))), f"create folder {mailbox}")

    def open_folder(self, mailbox: str, *, writable: bool) -> None:
        """SELECT (writable) or EXAMINE (read-only, no flag changes) a mailbox."""
        status, data = self.client.select(quote(encode_mailbox(mailbox)), readonly=not writable)
        if status != "OK":
            raise EmailNotFound(f"Folder {mailbox} cannot be opened: {_text(data)}")

    # --- messages (in the open folder) ------------------------------------------------------

    def search(self, query: str) -> list[int]:
        """UIDs matching an IMAP search key, in mailbox order."""
        data = self._ok(self.client.uid("SEARCH", query), "search")
        uids: list[int] = []
        for item in data:
            if isinstance(item, bytes):
                uids.extend(int(part) for part in item.split() if part.isdigit())
        return uids

    def find_message_id(self, message_id: str) -> int | None:
        """The first message whose Message-ID header contains ``message_id`` (the server's
        ``HEADER`` search is a case-insensitive substring match, as Jakarta's MessageIDTerm)."""
        uids = self.search(f"HEADER Message-ID {quote(message_id)}")
        return uids[0] if uids else None

    def fetch(self, uids: str, *, body: bool) -> list[Fetched]:
        """Headers (``body=False``) or whole messages, never marking them seen."""
        section = "BODY.PEEK[]" if body else "BODY.PEEK[HEADER]"
        data = self._ok(
            self.client.uid("FETCH", uids, f"(UID RFC822.SIZE INTERNALDATE {section})"), "fetch"
        )
        found: list[Fetched] = []
        for index, item in enumerate(data):
            if not isinstance(item, tuple) or len(item) < 2:
                continue
            envelope = item[0]
            after = data[index + 1] if index + 1 < len(data) else b""
            if isinstance(after, bytes):
                envelope = envelope + b" " + after
            uid = _UID.search(envelope)
            if uid is None:
                continue
            size = _SIZE.search(envelope)
            date = _INTERNALDATE.search(envelope)
            found.append(
                Fetched(
                    uid=int(uid.group(1)),
                    size=int(size.group(1)) if size else None,
                    received_at=_internaldate(date.group(1).decode()) if date else None,
                    data=bytes(item[1]),
                )
            )
        return found

    def mark_seen(self, uid: int) -> None:
        self._ok(self.client.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Seen)"), "mark as read")

    def delete(self, uid: int) -> None:
        """Flag \\Deleted and expunge (the folder's other \\Deleted messages too, as closing a
        Jakarta Mail folder does)."""
        self._ok(self.client.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), "delete")
        self._ok(self.client.expunge(), "expunge")

    def move(self, uid: int, mailbox: str) -> None:
        """MOVE where the server has it, else COPY, flag \\Deleted and expunge."""
        target = quote(encode_mailbox(mailbox))
        if "MOVE" in self.capabilities:
            self._ok(self.client.uid("MOVE", str(uid), target), f"move to {mailbox}")
            return
        self._ok(self.client.uid("COPY", str(uid), target), f"copy to {mailbox}")
        self.delete(uid)

    def _ok(self, response: tuple[str, list[object]], what: str) -> list[object]:
        status, data = response
        if status != "OK":
            raise EmailCommandError(f"The IMAP server refused to {what}: {_text(data)}")
        return data


async def run(server: Server, login: Login, work: Callable[[ImapSession], T]) -> T:
    """Run ``work`` on a pooled session for this server and login, in the thread pool."""
    current = state()
    async with session(current, server, login) as imap:
        return await call(current, imap, server, work)


async def call(
    current: EmailState, imap: ImapSession, server: Server, work: Callable[[ImapSession], T]
) -> T:
    """Run ``work`` on a leased session (:func:`session`) in the thread pool, its failures
    turned into the e-mail error tree."""
    return await current.in_thread(_guarded, work, imap, server)


@asynccontextmanager
async def session(current: EmailState, server: Server, login: Login) -> AsyncIterator[ImapSession]:
    pool = current.pool("imap", lambda: _new_pool(current))
    key = ("imap", server, login.digest())

    async def connect() -> ImapSession:
        return await current.in_thread(
            ImapSession.open, server, login, current.context, current.config.timeout
        )

    async with pool.lease(key, connect) as imap:
        yield imap


def _new_pool(current: EmailState) -> Pool[ImapSession]:
    async def alive(imap: ImapSession) -> bool:
        return await current.in_thread(imap.alive)

    async def close(imap: ImapSession) -> None:
        await current.in_thread(imap.close)

    return Pool(
        limit=current.config.max_connections,
        idle_seconds=current.config.idle_seconds,
        alive=alive,
        close=close,
    )


def _guarded(work: Callable[[ImapSession], T], imap: ImapSession, server: Server) -> T:
    where = f"{server.host}:{server.port}"
    try:
        return work(imap)
    except EmailError:
        raise
    except imaplib.IMAP4.abort as exc:
        raise EmailConnectError(
            f"The IMAP server {where} dropped the connection: {describe(exc)}"
        ) from None
    except imaplib.IMAP4.error as exc:
        raise EmailCommandError(
            f"The IMAP server {where} refused a command: {describe(exc)}"
        ) from None
    except (TimeoutError, OSError) as exc:
        raise EmailConnectError(
            f"The IMAP server {where} did not answer: {describe(exc)}"
        ) from None


def encode_mailbox(name: str) -> str:
    """RFC 3501 modified UTF-7 for mailbox names with non-ASCII characters."""
    result: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = "".join(pending).encode("utf-16-be")
            text = base64.b64encode(encoded).decode("ascii").rstrip("=").replace("/", ",")
            result.append(f"&{text}-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            result.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(result)


def _internaldate(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z").astimezone(dt.UTC)
    except ValueError:
        return None


def _close(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error):
        try:
            client.shutdown()
        except OSError:
            pass


def _text(data: object) -> str:
    if isinstance(data, list):
        return " ".join(_text(item) for item in data if item is not None)
    if isinstance(data, bytes | bytearray):
        return bytes(data).decode(errors="replace")
    return str(data)
