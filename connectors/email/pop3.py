"""POP3, on the standard library's ``poplib`` in the connector's bounded thread pool (there is
no maintained asyncio POP3 client).

Sessions are not reused: a POP3 session sees the mailbox as it was at login, and deletions
take effect only at QUIT. Each operation logs in, works, and QUITs (or drops the connection
without QUIT on failure, so nothing it marked is deleted). Connections to one server are still
bounded by the pool. Messages have no stable id in POP3 but their Message-ID header, which is
what Camunda's connector matches (a case-insensitive substring, Jakarta's MessageIDTerm).
"""

from __future__ import annotations

import poplib
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import TypeVar

from connectors.email.errors import (
    EmailAuthenticationError,
    EmailCommandError,
    EmailConnectError,
    EmailError,
    describe,
)
from connectors.email.parse import Email, matches_message_id, parse
from connectors.email.pool import Pool
from connectors.email.request import Login, Server
from connectors.email.state import EmailState, state

T = TypeVar("T")


class Pop3Session:
    """A logged-in POP3 connection. Blocking: use it from one thread at a time."""

    def __init__(self, client: poplib.POP3) -> None:
        self.client = client
        self._done = False

    @classmethod
    def open(
        cls, server: Server, login: Login, context: ssl.SSLContext, timeout: float
    ) -> Pop3Session:
        """Connect (TLS from the first byte unless the security is NONE) and log in."""
        where = f"{server.host}:{server.port}"
        try:
            if server.security == "NONE":
                client = poplib.POP3(server.host, server.port, timeout=timeout)
            else:
                client = poplib.POP3_SSL(server.host, server.port, context=context, timeout=timeout)
        except (OSError, poplib.error_proto) as exc:
            raise EmailConnectError(
                f"Could not connect to the POP3 server {where}: {describe(exc)}"
            ) from None
        try:
            client.user(login.username or "")
            client.pass_(login.password or "")
        except poplib.error_proto as exc:
            _drop(client)
            raise EmailAuthenticationError(
                f"Authentication failed at {where}: {describe(exc)}"
            ) from None
        except OSError as exc:
            _drop(client)
            raise EmailConnectError(
                f"The POP3 server {where} did not answer: {describe(exc)}"
            ) from None
        return cls(client)

    def sizes(self) -> list[tuple[int, int]]:
        """``(message number, size)`` of every message."""
        _, lines, _ = self.client.list()
        result = []
        for line in lines:
            number, _, size = line.partition(b" ")
            if number.isdigit():
                result.append((int(number), int(size) if size.strip().isdigit() else 0))
        return result

    def headers(self, number: int, size: int | None = None) -> Email:
        _, lines, _ = self.client.top(number, 0)
        return parse(b"\r\n".join(lines) + b"\r\n", with_body=False, size=size)

    def message(self, number: int, size: int | None = None) -> Email:
        _, lines, _ = self.client.retr(number)
        return parse(b"\r\n".join(lines) + b"\r\n", with_body=True, size=size)

    def each(self, *, body: bool) -> Iterator[tuple[int, Email]]:
        for number, size in self.sizes():
            yield number, (self.message(number, size) if body else self.headers(number, size))

    def find(self, message_id: str) -> tuple[int, int] | None:
        """``(number, size)`` of the first message whose Message-ID contains ``message_id``."""
        for number, size in self.sizes():
            if matches_message_id(self.headers(number, size).message_id, message_id):
                return number, size
        return None

    def delete(self, number: int) -> None:
        self.client.dele(number)

    def finish(self) -> None:
        """QUIT: commit the deletions."""
        self._done = True
        self.client.quit()

    def close(self) -> None:
        if not self._done:
            self._done = True
            _drop(self.client)


async def run(server: Server, login: Login, work: Callable[[Pop3Session], T]) -> T:
    """Log in, run ``work`` and QUIT, in the thread pool."""
    current = state()
    async with session(current, server, login) as pop3:
        return await current.in_thread(_guarded, work, pop3, server)


@asynccontextmanager
async def session(current: EmailState, server: Server, login: Login) -> AsyncIterator[Pop3Session]:
    pool = current.pool("pop3", lambda: _new_pool(current))

    async def connect() -> Pop3Session:
        return await current.in_thread(
            Pop3Session.open, server, login, current.context, current.config.timeout
        )

    async with pool.lease(("pop3", server, login.digest()), connect) as pop3:
        yield pop3


def _new_pool(current: EmailState) -> Pool[Pop3Session]:
    async def alive(pop3: Pop3Session) -> bool:
        return False

    async def close(pop3: Pop3Session) -> None:
        await current.in_thread(pop3.close)

    return Pool(
        limit=current.config.max_connections,
        idle_seconds=0,
        alive=alive,
        close=close,
        reuse=False,
    )


def _guarded(work: Callable[[Pop3Session], T], pop3: Pop3Session, server: Server) -> T:
    where = f"{server.host}:{server.port}"
    try:
        result = work(pop3)
        pop3.finish()
        return result
    except EmailError:
        raise
    except poplib.error_proto as exc:
        raise EmailCommandError(
            f"The POP3 server {where} refused a command: {describe(exc)}"
        ) from None
    except (TimeoutError, OSError) as exc:
        raise EmailConnectError(
            f"The POP3 server {where} did not answer: {describe(exc)}"
        ) from None


def _drop(client: poplib.POP3) -> None:
    try:
        client.close()
    except OSError:
        pass
