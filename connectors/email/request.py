"""Which server and which login a job uses: a bound reusable credential wins over the inline
fields (camunda/connectors ``connectors/email/.../outbound/model/EmailRequest.java``:
``authentication()``, ``getProtocolConfiguration()`` and their ``@AssertTrue`` checks)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from connectors.email.models import (
    EmailAccount,
    EmailInput,
    ImapData,
    NoAuthentication,
    Pop3Data,
    SimpleAuthentication,
    SmtpData,
)
from connectors.sdk import ConnectorInputError, FieldError

Protocol = Literal["smtp", "imap", "pop3"]
Security = Literal["TLS", "SSL", "NONE"]
NO_AUTHENTICATION = "No authentication provided by the credential or the element template"
NO_SERVER = "No email server settings provided by the credential or the element template"


@dataclass(frozen=True)
class Server:
    """Where to connect. ``security``: SSL = TLS from the first byte; TLS = the same for IMAP
    and POP3, STARTTLS when offered for SMTP; NONE = plain text."""

    protocol: Protocol
    host: str
    port: int
    security: Security


@dataclass(frozen=True)
class Login:
    """Credentials, or none (``username is None``: SMTP without AUTH)."""

    username: str | None = None
    password: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.username is None

    def digest(self) -> str:
        """Identifies the login in pool keys without keeping the password as a key."""
        text = f"{self.username}\0{self.password}" if self.username is not None else "\0"
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self) -> str:
        return "Login(<redacted>)"


def protocol_of(data: ImapData | Pop3Data | SmtpData) -> Protocol:
    return data.protocol


def effective(request: EmailInput) -> tuple[Server, Login]:
    """The server and login the job uses; raises ``ConnectorInputError`` naming what is
    missing (no retry can supply it)."""
    protocol = protocol_of(request.data)
    account = request.email_account_configuration
    if account is not None:
        return _account_server(account, protocol), _account_login(account)
    return _inline_server(request.data), _inline_login(request, protocol)


def _account_login(account: EmailAccount) -> Login:
    missing = [
        FieldError(f"emailAccountConfiguration.{name}", "required")
        for name in ("username", "password")
        if not getattr(account, name)
    ]
    if missing:
        raise ConnectorInputError(_message(missing), errors=missing)
    return Login(account.username, account.password)


def _account_server(account: EmailAccount, protocol: Protocol) -> Server:
    if account.protocol is not None and account.protocol != protocol:
        raise ConnectorInputError(
            f"{NO_SERVER}: the credential is for {account.protocol.upper()}, the task uses "
            f"{protocol.upper()}"
        )
    host = getattr(account, f"{protocol}Host")
    if host is None:
        raise ConnectorInputError(NO_SERVER)
    port = getattr(account, f"{protocol}Port")
    security: Security = getattr(account, f"{protocol}CryptographicProtocol") or "TLS"
    return _server(protocol, host, port, security, f"emailAccountConfiguration.{protocol}Port")


def _inline_server(data: ImapData | Pop3Data | SmtpData) -> Server:
    protocol = protocol_of(data)
    config = getattr(data, f"{protocol}Config")
    prefix = f"data.{protocol}Config.{protocol}"
    host: str | None = None if config is None else getattr(config, f"{protocol}Host")
    if config is None or host is None:
        raise _missing(f"{prefix}Host")
    return _server(
        protocol,
        host,
        getattr(config, f"{protocol}Port"),
        getattr(config, f"{protocol}CryptographicProtocol"),
        f"{prefix}Port",
    )


def _inline_login(request: EmailInput, protocol: Protocol) -> Login:
    auth = request.authentication
    if auth is None:
        raise ConnectorInputError(NO_AUTHENTICATION)
    if isinstance(auth, NoAuthentication):
        if protocol != "smtp":
            raise ConnectorInputError(
                "authentication.type: 'None' is only supported for SMTP; "
                f"{protocol.upper()} servers need a username and password"
            )
        return Login()
    assert isinstance(auth, SimpleAuthentication)
    missing = [
        FieldError(f"authentication.{name}", "required")
        for name in ("username", "password")
        if not getattr(auth, name)
    ]
    if missing:
        raise ConnectorInputError(_message(missing), errors=missing)
    return Login(auth.username, auth.password)


def _server(
    protocol: Protocol, host: str, port: int | None, security: Security, field: str
) -> Server:
    if port is None:
        raise _missing(field)
    if not 1 <= port <= 65535:
        raise ConnectorInputError(
            f"Invalid input (1 field): {field}: must be between 1 and 65535",
            errors=[FieldError(field, "must be between 1 and 65535")],
        )
    return Server(protocol, host.strip(), port, security)


def _message(errors: list[FieldError]) -> str:
    count = len(errors)
    noun = "field" if count == 1 else "fields"
    return f"Invalid input ({count} {noun}): " + "; ".join(str(e) for e in errors)


def require(value: object, field: str) -> None:
    """An input the chosen action needs (lenient in the model)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _missing(field)


def required(value: str | None, field: str) -> str:
    """:func:`require` for a text input, returning it."""
    require(value, field)
    assert value is not None
    return value


def _missing(field: str) -> ConnectorInputError:
    return ConnectorInputError(
        f"Invalid input (1 field): {field}: required", errors=[FieldError(field, "required")]
    )
