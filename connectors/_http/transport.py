"""What the HTTP connectors need from an HTTP client, and the errors a client raises.

The connectors build the exact request (URL already encoded, headers, body), decide on
redirects, proxies and host rules themselves, and hand one hop at a time to a
:class:`Transport`. Two transports exist: :mod:`connectors._http.aiohttp_transport`
(HTTP/1.1, the default) and :mod:`connectors._http.h2_transport` (httpx with HTTP/2, opt-in).

Errors (every transport raises only these, plus the connectors' own
``HostNotAllowed``/``ResponseTooLarge``)::

    TransportError
    +-- TransportTimeout        connect, pool or read timeout
    +-- TransportTlsError       handshake failed (untrusted, rejected client certificate, ...)
    +-- TransportIoError        refused, reset, DNS failure, truncated body, other I/O
    +-- TunnelRefused           the proxy answered CONNECT with an error status
    +-- RequestNotSendable      the request cannot be put on the wire as given
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import NoReturn, Protocol

from connectors._http.config import ProxySettings

Header = tuple[str, str]


@dataclass(slots=True)  # one per hop; not frozen, whose __init__ is slower
class Exchange:
    """One request hop as it goes on the wire."""

    method: str
    url: str  # absolute, already percent-encoded, without fragment; sent byte for byte
    headers: list[Header]
    body: bytes | None
    connect_timeout: float | None
    read_timeout: float | None
    tls: ssl.SSLContext | None = None  # None: the environment's context
    proxy: ProxySettings | None = None


class Response(Protocol):
    """A response whose body has not been read yet."""

    status: int
    reason: str
    raw_headers: list[tuple[bytes, bytes]]
    decoded_codings: frozenset[str]  # content codings the transport decodes while reading

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class Transport(Protocol):
    """A pooled HTTP client; ``send`` may be called concurrently."""

    @property
    def is_closed(self) -> bool: ...

    async def send(self, exchange: Exchange) -> Response: ...

    async def aclose(self) -> None: ...


class TransportError(Exception):
    """Base of every error a transport raises for a failed exchange."""


class TransportTimeout(TransportError):
    """Connecting, waiting for a pooled connection or reading took too long."""


class TransportTlsError(TransportError):
    """The TLS handshake failed; ``reason`` is a short description without key material."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransportIoError(TransportError):
    """The connection could not be made or broke (refused, reset, DNS, truncated body)."""


class TunnelRefused(TransportError):
    """The proxy refused the CONNECT tunnel for an https:// target."""

    def __init__(self, status: int) -> None:
        super().__init__(f"proxy refused the tunnel with status {status}")
        self.status = status


class RequestNotSendable(TransportError):
    """The request cannot be sent as given (for example an invalid raw URL)."""


def tls_reason(error: BaseException) -> str:
    """The verification message or reason of an ``ssl`` error, never its key material."""
    verify = getattr(error, "verify_message", None)
    if verify:
        return str(verify)
    reason = getattr(error, "reason", None)
    return str(reason) if reason else type(error).__name__


def find_tls_error(exc: BaseException) -> ssl.SSLError | ssl.CertificateError | None:
    """The first ``ssl`` error in ``exc``'s cause/context chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return current
        current = current.__cause__ or current.__context__
    return None


def raise_mapped(exc: Exception, mapped: Exception) -> NoReturn:
    """Raise ``mapped`` (caused by ``exc``), or ``exc`` itself when nothing maps it."""
    if mapped is exc:
        raise exc
    raise mapped from exc
