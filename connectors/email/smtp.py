"""SMTP, on aiosmtplib (asyncio, maintained, STARTTLS and implicit TLS, AUTH).

Security as Camunda's connector sets up Jakarta Mail (camunda/connectors
``.../client/jakarta/utils/JakartaUtils.java`` ``createProperties(SmtpConfig, ...)``): SSL is
TLS from the first byte; TLS upgrades with STARTTLS when the server offers it
(``mail.smtp.starttls.enable`` without ``...required``); NONE never encrypts. With a
username, the client logs in when the server offers AUTH. Authenticated connections are
pooled per server and login and checked with NOOP before reuse.
"""

from __future__ import annotations

import aiosmtplib

from connectors.email.compose import Outgoing
from connectors.email.errors import (
    EmailAuthenticationError,
    EmailCommandError,
    EmailConnectError,
    EmailError,
    describe,
)
from connectors.email.pool import Pool
from connectors.email.request import Login, Server
from connectors.email.state import EmailState, state


async def send(server: Server, login: Login, outgoing: Outgoing) -> None:
    """Send one message on a pooled connection; raises an :class:`EmailError`."""
    current = state()
    pool = current.pool("smtp", lambda: _new_pool(current))
    where = f"{server.host}:{server.port}"

    async def connect() -> aiosmtplib.SMTP:
        return await _connect(current, server, login)

    async with pool.lease(("smtp", server, login.digest()), connect) as client:
        try:
            await client.send_message(
                outgoing.message, sender=outgoing.sender, recipients=outgoing.recipients
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(f"{r.recipient} ({r.code} {r.message})" for r in exc.recipients)
            raise EmailCommandError(
                f"The SMTP server {where} refused recipients: {refused}"
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise EmailCommandError(
                f"The SMTP server {where} refused the message: {exc.code} {exc.message}"
            ) from None
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError) as exc:
            raise EmailConnectError(
                f"The SMTP server {where} did not answer: {describe(exc)}"
            ) from None
        except aiosmtplib.SMTPException as exc:
            raise EmailError(f"Sending through {where} failed: {describe(exc)}") from None


async def _connect(current: EmailState, server: Server, login: Login) -> aiosmtplib.SMTP:
    where = f"{server.host}:{server.port}"
    client = aiosmtplib.SMTP(
        hostname=server.host,
        port=server.port,
        use_tls=server.security == "SSL",
        start_tls=None if server.security == "TLS" else False,
        tls_context=current.context,
        timeout=current.config.timeout,
    )
    try:
        await client.connect()
    except (aiosmtplib.SMTPException, OSError) as exc:
        client.close()
        raise EmailConnectError(
            f"Could not connect to the SMTP server {where}: {describe(_cause(exc))}"
        ) from None
    if login.anonymous:
        return client
    try:
        if not client.esmtp_extensions:  # after STARTTLS the extensions are asked again
            await client.ehlo()
    except aiosmtplib.SMTPHeloError:
        pass  # not an ESMTP server: no AUTH to offer
    except (aiosmtplib.SMTPException, OSError) as exc:
        await _quit(client)
        raise EmailConnectError(
            f"The SMTP server {where} did not answer: {describe(exc)}"
        ) from None
    if not client.supports_extension("auth"):
        return client  # Jakarta Mail sends without logging in when AUTH is not offered
    try:
        await client.login(login.username or "", login.password or "")
    except aiosmtplib.SMTPAuthenticationError as exc:
        await _quit(client)
        raise EmailAuthenticationError(
            f"Authentication failed at {where}: {exc.code} {exc.message}"
        ) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        await _quit(client)
        raise EmailConnectError(f"Logging in at {where} failed: {describe(exc)}") from None
    return client


def _new_pool(current: EmailState) -> Pool[aiosmtplib.SMTP]:
    async def alive(client: aiosmtplib.SMTP) -> bool:
        if not client.is_connected:
            return False
        response = await client.noop()
        return response.code == 250

    return Pool(
        limit=current.config.max_connections,
        idle_seconds=current.config.idle_seconds,
        alive=alive,
        close=_quit,
    )


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        if client.is_connected:
            await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


def _cause(exc: BaseException) -> BaseException:
    """aiosmtplib wraps the OSError or SSL error that explains a failed connect."""
    return exc.__cause__ if exc.__cause__ is not None else exc
