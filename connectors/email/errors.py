"""The e-mail connector's errors: one tree, stable names, no error codes.

Camunda's connector wraps every ``MessagingException`` in a ``RuntimeException``, so its jobs
fail without an error code and with ``retries - 1`` (camunda/connectors
``connectors/email/.../client/jakarta/outbound/JakartaEmailActionExecutor.java``). These
classes keep that outcome (``code`` is ``None``) while telling callers, such as a later inbound
connector, what went wrong::

    EmailError                    any failure talking to a mail server
    ├── EmailConnectError         the server cannot be reached, TLS fails, or it times out
    ├── EmailAuthenticationError  the server refuses the login
    ├── EmailCommandError         the server refuses a command (a recipient, a folder name...)
    └── EmailNotFound             no message with that Message-ID, or no such folder

Bad input is a :class:`connectors.sdk.ConnectorInputError` (retries 0), never one of these.
"""

from __future__ import annotations

import socket
import ssl

from connectors.sdk import ConnectorError


class EmailError(ConnectorError):
    """A mail server failure: the job fails with ``retries - 1`` and no error code."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class EmailConnectError(EmailError):
    """The server cannot be reached, the TLS handshake fails, or it does not answer in time."""


class EmailAuthenticationError(EmailError):
    """The server refuses the username and password."""


class EmailCommandError(EmailError):
    """The server refuses a command: a recipient, a folder, a flag change..."""


class EmailNotFound(EmailError):
    """No message with the given Message-ID, or the folder does not exist."""


def describe(exc: BaseException) -> str:
    """A short, secret-free reason for a network or protocol failure."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or type(exc).__name__})"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    detail = exc.args[0] if exc.args else ""
    if isinstance(detail, bytes):
        detail = detail.decode(errors="replace")
    return str(detail) or type(exc).__name__
