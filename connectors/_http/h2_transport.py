"""The opt-in HTTP/2 transport (``SWITCHBOARD_HTTP_HTTP2=true``): httpx's transports with h2.

HTTP/2 is negotiated with ALPN over TLS (HTTP/1.1 otherwise). One pool for direct
connections and one per configured proxy, each bounded by ``max_connections``. The request
target is given explicitly, so the URL goes on the wire exactly as the connectors built it.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import httpcore
import httpx

from connectors._http.config import HttpConfig, ProxySettings
from connectors._http.hostrules import GuardedBackend, HostRules
from connectors._http.transport import (
    Exchange,
    RequestNotSendable,
    TransportIoError,
    TransportTimeout,
    TransportTlsError,
    TunnelRefused,
    find_tls_error,
    raise_mapped,
    tls_reason,
)

KEEPALIVE_SECONDS = 30.0
DECODED_CODINGS = frozenset(httpx._decoders.SUPPORTED_DECODERS) - {"identity"}


class Http2Transport:
    """httpx transports with HTTP/2 enabled; jobs' own TLS contexts get their own pools."""

    def __init__(self, config: HttpConfig, context: ssl.SSLContext, rules: HostRules) -> None:
        self._config = config
        self._rules = rules
        self._limits = httpx.Limits(
            max_connections=config.max_connections,
            max_keepalive_connections=config.max_connections,
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        self._pools: dict[tuple[int, str | None], httpx.AsyncHTTPTransport] = {}
        self._contexts: dict[int, ssl.SSLContext] = {}
        self._default = context
        self._closed = False

    @property
    def is_closed(self) -> bool:
        return self._closed

    def _pool(
        self, context: ssl.SSLContext, proxy: ProxySettings | None
    ) -> httpx.AsyncHTTPTransport:
        key = (id(context), proxy.url if proxy is not None else None)
        pool = self._pools.get(key)
        if pool is None:
            self._contexts[id(context)] = context  # keep it alive while its pool exists
            if proxy is None:
                pool = _DirectTransport(context, self._limits, self._rules)
            else:
                pool = _proxy_transport(proxy, context, self._limits)
            self._pools[key] = pool
        return pool

    async def forget(self, context: ssl.SSLContext) -> None:
        """Close the pools of a job TLS context that is no longer cached."""
        for key in [k for k in self._pools if k[0] == id(context)]:
            await self._pools.pop(key).aclose()
        self._contexts.pop(id(context), None)

    async def send(self, exchange: Exchange) -> _Response:
        context = exchange.tls or self._default
        pool = self._pool(context, exchange.proxy)
        url = httpx.URL(exchange.url)
        target = _target(exchange.url)
        if exchange.proxy is not None and url.scheme == "http":
            target = exchange.url.encode("utf-8")  # a forwarding proxy takes the absolute form
        request = httpx.Request(
            exchange.method,
            url,
            headers=[(k.encode("utf-8"), v.encode("utf-8")) for k, v in exchange.headers],
            content=exchange.body,
            extensions={
                "target": target,
                "timeout": {
                    "connect": exchange.connect_timeout,
                    "read": exchange.read_timeout,
                    "write": exchange.read_timeout,
                    "pool": exchange.connect_timeout,
                },
            },
        )
        try:
            response = await pool.handle_async_request(request)
        except Exception as exc:
            raise_mapped(exc, _mapped(exc))
        return _Response(response)

    async def aclose(self) -> None:
        self._closed = True
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


class _Response:
    decoded_codings = DECODED_CODINGS

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.raw_headers = list(response.headers.raw)

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as exc:
            raise_mapped(exc, _mapped(exc))

    async def aclose(self) -> None:
        await self._response.aclose()


def _target(url: str) -> bytes:
    rest = url.split("://", 1)[1]
    slash = rest.find("/")
    query = rest.find("?")
    cut = min((i for i in (slash, query) if i >= 0), default=len(rest))
    target = rest[cut:] or "/"
    if not target.startswith("/"):
        target = "/" + target
    return target.encode("utf-8")


def _mapped(exc: Exception) -> Exception:
    if isinstance(exc, httpx.TimeoutException):
        return TransportTimeout()
    if isinstance(exc, httpx.ProxyError):
        status = _proxy_status(exc)
        if status is not None:
            return TunnelRefused(status)
    if isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol):
        return RequestNotSendable(type(exc).__name__)
    if isinstance(exc, httpx.TransportError | ssl.SSLError | OSError):
        tls = find_tls_error(exc)
        if tls is not None:
            return TransportTlsError(tls_reason(tls))
        return TransportIoError(type(exc).__name__)
    return exc


def _proxy_status(exc: httpx.ProxyError) -> int | None:
    # httpcore words a refused tunnel "407 Proxy Authentication Required".
    head = str(exc).split(" ", 1)[0]
    return int(head) if head.isdigit() else None


class _DirectTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose network backend applies the host rules."""

    def __init__(self, context: ssl.SSLContext, limits: httpx.Limits, rules: HostRules) -> None:
        super().__init__(verify=context, http1=True, http2=True, limits=limits)
        if rules.denied:
            # httpx offers no public hook for the network backend; swap in an equivalent pool.
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=True,
                network_backend=GuardedBackend(rules),
            )


def _proxy_transport(
    settings: ProxySettings, context: ssl.SSLContext, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    auth = (settings.user, settings.password or "") if settings.user else None
    proxy = httpx.Proxy(
        settings.url,
        auth=auth,
        ssl_context=context if settings.scheme == "https" else None,
    )
    return httpx.AsyncHTTPTransport(
        verify=context, http1=True, http2=True, limits=limits, proxy=proxy
    )
