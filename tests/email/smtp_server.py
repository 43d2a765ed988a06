"""A real SMTP server on a free loopback port: aiosmtpd, with or without STARTTLS, implicit
TLS and AUTH, recording every message and every connection."""

from __future__ import annotations

import email
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.dovecot import free_port


@dataclass
class Received:
    """One accepted message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Stats:
    open: int = 0
    peak: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower().startswith("refused@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        login = (
            session.auth_data.login.decode()
            if isinstance(session.auth_data, LoginPassword)
            else None
        )
        self.server.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                raw=bytes(envelope.original_content or b""),
                tls=server.transport.get_extra_info("ssl_object") is not None,
                login=login,
            )
        )
        return "250 Message accepted"


class _Counting(SMTP):
    stats: _Stats

    def connection_made(self, transport: Any) -> None:
        if getattr(self, "transport", None) is None:  # not the STARTTLS re-announcement
            with self.stats.lock:
                self.stats.open += 1
                self.stats.total += 1
                self.stats.peak = max(self.stats.peak, self.stats.open)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        with self.stats.lock:
            self.stats.open -= 1
        super().connection_lost(error)


class SmtpServer:
    """``tls``: None (plain), "starttls" (offered; ``require_tls`` makes it mandatory) or
    "implicit". ``users``: logins the server accepts (AUTH offered when set)."""

    def __init__(
        self,
        certificate_context: ssl.SSLContext | None = None,
        *,
        tls: str | None = None,
        users: dict[str, str] | None = None,
        require_tls: bool = False,
    ) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.users = dict(users or {})
        self.stats = _Stats()
        handler = _Handler(self)
        stats = self.stats
        server_kwargs: dict[str, Any] = {
            "auth_required": bool(self.users),
            "auth_require_tls": False,
            "authenticator": self._authenticate if self.users else None,
        }
        if tls == "starttls":
            server_kwargs["tls_context"] = certificate_context
            server_kwargs["require_starttls"] = require_tls

        class Counting(_Counting):
            pass

        Counting.stats = stats

        class _Controller(Controller):
            def factory(self) -> SMTP:
                return Counting(self.handler, **self.SMTP_kwargs)

        self._controller = _Controller(
            handler,
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=certificate_context if tls == "implicit" else None,
            **server_kwargs,
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(user) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    def start(self) -> SmtpServer:
        self._controller.start()
        # The controller's own readiness probe is not a client's connection.
        with self.stats.lock:
            self.stats.total = self.stats.peak = 0
        return self

    def stop(self) -> None:
        self._controller.stop()
