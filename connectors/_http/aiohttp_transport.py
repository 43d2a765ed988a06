"""The default transport: one aiohttp session (HTTP/1.1) with a bounded connection pool.

Requests are sent exactly as the connectors built them: the URL byte for byte
(``yarl.URL(..., encoded=True)``), header names in the given case and order, no cookies, no
redirects (the connectors follow them hop by hop), no automatic Content-Type. Responses
keep the header case and order the server sent.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any, NoReturn

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.compression_utils import HAS_BROTLI, HAS_ZSTD
from yarl import URL

from connectors._http.config import HttpConfig
from connectors._http.hostrules import HostRules
from connectors._http.transport import (
    Exchange,
    RequestNotSendable,
    TransportError,
    TransportIoError,
    TransportTimeout,
    TransportTlsError,
    TunnelRefused,
    find_tls_error,
    raise_mapped,
    tls_reason,
)

KEEPALIVE_SECONDS = 30.0
DNS_CACHE_SECONDS = 10
DECODED_CODINGS = frozenset(
    {"gzip", "deflate"} | ({"br"} if HAS_BROTLI else set()) | ({"zstd"} if HAS_ZSTD else set())
)
# We set Content-Type ourselves when a body has one; aiohttp would add octet-stream.
_SKIP_AUTO_HEADERS = frozenset({"Content-Type"})


class AiohttpTransport:
    """HTTP/1.1 over one ``aiohttp.ClientSession``; at most ``max_connections`` sockets.

    Connections are pooled per (host, port, TLS context, proxy), so jobs with their own
    ``clientTls`` material share the bound but never a connection.
    """

    def __init__(self, config: HttpConfig, context: ssl.SSLContext, rules: HostRules) -> None:
        resolver: AbstractResolver | None = GuardedResolver(rules) if rules.denied else None
        connector = aiohttp.TCPConnector(
            limit=config.max_connections,
            limit_per_host=0,
            ssl=context,
            resolver=resolver,
            keepalive_timeout=KEEPALIVE_SECONDS,
            ttl_dns_cache=DNS_CACHE_SECONDS,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=True,
            requote_redirect_url=False,
            timeout=aiohttp.ClientTimeout(total=None),
        )

    @property
    def is_closed(self) -> bool:
        return self._session.closed

    @property
    def open_connections(self) -> int:
        """Sockets the pool holds (in use or idle), for tests and diagnostics."""
        connector = self._session.connector
        if connector is None:
            return 0
        acquired = len(getattr(connector, "_acquired", ()))
        idle = sum(len(v) for v in getattr(connector, "_conns", {}).values())
        return acquired + idle

    async def send(self, exchange: Exchange) -> _Response:
        kwargs: dict[str, Any] = {}
        if exchange.tls is not None:
            kwargs["ssl"] = exchange.tls
        headers = exchange.headers
        proxy = exchange.proxy
        if proxy is not None:
            kwargs["proxy"] = proxy.url
            if proxy.user:
                credentials = aiohttp.encode_basic_auth(proxy.user, proxy.password or "")
                if exchange.url.startswith("https:"):
                    kwargs["proxy_headers"] = {"Proxy-Authorization": credentials}  # CONNECT
                else:  # a forwarding proxy reads it from the request itself
                    headers = [*headers, ("Proxy-Authorization", credentials)]
        try:
            response = await self._session.request(
                exchange.method,
                URL(exchange.url, encoded=True),
                headers=headers,
                data=exchange.body,
                allow_redirects=False,
                skip_auto_headers=_SKIP_AUTO_HEADERS,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=exchange.connect_timeout,
                    sock_connect=exchange.connect_timeout,
                    sock_read=exchange.read_timeout,
                ),
                **kwargs,
            )
        except Exception as exc:
            _raise_mapped(exc)
        return _Response(response)

    async def aclose(self) -> None:
        await self._session.close()


class _Response:
    __slots__ = ("_response", "raw_headers", "reason", "status")
    decoded_codings = DECODED_CODINGS

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.reason = response.reason or ""
        self.raw_headers = list(response.raw_headers)

    async def chunks(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while chunk := await content.readany():
                yield chunk
        except Exception as exc:
            _raise_mapped(exc)

    async def aclose(self) -> None:
        # A fully read body has returned the connection to the pool already; otherwise the
        # connection is closed, never reused with unread bytes.
        self._response.release()


def _raise_mapped(exc: Exception) -> NoReturn:
    raise_mapped(exc, _mapped(exc))


def _mapped(exc: Exception) -> Exception:
    if isinstance(exc, TransportError):
        return exc
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return TransportTimeout()
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return TunnelRefused(exc.status)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return TransportTlsError(tls_reason(exc.certificate_error))
    tls = find_tls_error(exc)
    if tls is None and isinstance(exc, aiohttp.ClientConnectorError):
        tls = find_tls_error(exc.os_error) if isinstance(exc.os_error, BaseException) else None
    if tls is not None:
        return TransportTlsError(tls_reason(tls))
    if isinstance(exc, aiohttp.InvalidURL):
        return RequestNotSendable(type(exc).__name__)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return TransportIoError(type(exc).__name__)
    if isinstance(exc, ValueError):  # e.g. a header aiohttp refuses to write
        return RequestNotSendable(type(exc).__name__)
    return exc


class GuardedResolver(AbstractResolver):
    """Resolves with the default resolver, then refuses denied addresses.

    aiohttp connects to exactly the addresses returned here, so what was checked is what is
    reached (no second lookup). IP-literal URLs never reach a resolver: the connectors check
    those before sending.
    """

    def __init__(self, rules: HostRules) -> None:
        self._rules = rules
        self._inner = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        self._rules.check_addresses(host, [result["host"] for result in results])
        return results

    async def close(self) -> None:
        await self._inner.close()
