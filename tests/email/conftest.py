"""Fixtures for the e-mail connector tests: a CA (trustme), a Dovecot IMAP/POP3 server, SMTP
servers (aiosmtpd) in each security mode, and a fresh connector state per test."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme

from connectors.email import aclose
from tests.email.smtp_server import SmtpServer
from tests.support.dovecot import Dovecot, MailUser

SMTP_USERS = {"mailer": "s3cret-Pa55"}


@pytest.fixture(scope="session")
def mail_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(mail_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mail-ca") / "ca.pem"
    mail_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(autouse=True)
async def email_state(ca_file: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Each test trusts the test CA, reads the environment afresh and leaves nothing open."""
    monkeypatch.setenv("SWITCHBOARD_EMAIL_CA_FILE", str(ca_file))
    monkeypatch.setenv("SWITCHBOARD_EMAIL_TIMEOUT_SECONDS", "5")
    await aclose()
    yield
    await aclose()


@pytest.fixture(scope="session")
def dovecot(mail_ca: trustme.CA) -> Iterator[Dovecot]:
    server = Dovecot(mail_ca).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> MailUser:
    return dovecot.add_user()


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="session")
def smtp_plain() -> Iterator[SmtpServer]:
    """No TLS, no AUTH (a relay on the local network)."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_starttls(mail_ca: trustme.CA) -> Iterator[SmtpServer]:
    """STARTTLS required, then AUTH required (a submission port, 587)."""
    server = SmtpServer(
        server_context(mail_ca), tls="starttls", users=SMTP_USERS, require_tls=True
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_offers_starttls(mail_ca: trustme.CA) -> Iterator[SmtpServer]:
    """STARTTLS offered but optional, AUTH required."""
    server = SmtpServer(server_context(mail_ca), tls="starttls", users=SMTP_USERS).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_implicit_tls(mail_ca: trustme.CA) -> Iterator[SmtpServer]:
    """TLS from the first byte, AUTH required (port 465)."""
    server = SmtpServer(server_context(mail_ca), tls="implicit", users=SMTP_USERS).start()
    yield server
    server.stop()
