"""The transport behind the shared client: proxy routing, host rules and the body-size cap."""

from __future__ import annotations

import re
import ssl
from collections.abc import AsyncIterator

import httpcore
import httpx

from connectors._http.config import ENV_DENIED_NETWORKS, HttpConfig, ProxySettings
from connectors._http.errors import HostNotAllowed, ResponseTooLarge
from connectors._http.hostrules import GuardedBackend, HostRules
from connectors._http.request import TARGET_URL_EXTENSION

KEEPALIVE_EXPIRY = 30.0


class RoutingTransport(httpx.AsyncBaseTransport):
    """Sends each request (and each redirect hop) directly or through the configured proxy.

    Every hop is checked against the host rules, and every response stream is capped at
    ``max_body_bytes`` of wire data (redirect bodies included).
    """

    def __init__(self, config: HttpConfig, ssl_context: ssl.SSLContext) -> None:
        self._rules = HostRules(config)
        self._max_body = config.max_body_bytes
        limits = httpx.Limits(
            max_connections=config.max_connections,
            max_keepalive_connections=config.max_connections,
            keepalive_expiry=KEEPALIVE_EXPIRY,
        )
        self._direct = _direct_transport(ssl_context, limits, self._rules)
        self._proxies: dict[str, httpx.AsyncHTTPTransport] = {}
        for scheme, settings in (("http", config.http_proxy), ("https", config.https_proxy)):
            if settings is not None:
                self._proxies[scheme] = _proxy_transport(settings, ssl_context, limits)
        self._non_proxy = _non_proxy_pattern(config.non_proxy_hosts)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target_url = request.extensions.get(TARGET_URL_EXTENSION)
        if target_url is not None and target_url != str(request.url):
            # A redirect hop of a skipEncoding request: its raw target was for the first URL.
            request.extensions = {
                k: v
                for k, v in request.extensions.items()
                if k not in ("target", TARGET_URL_EXTENSION)
            }
        host = request.url.host
        self._rules.check_name(host)
        proxy = self._proxy_for(request.url)
        if proxy is not None and self._rules.denied:
            # The proxy connects for us, so resolve here; unresolvable means unverifiable.
            port = request.url.port or (443 if request.url.scheme == "https" else 80)
            try:
                await self._rules.resolve_checked(host, port)
            except httpcore.ConnectError:
                raise HostNotAllowed(
                    f"Host '{host}' cannot be resolved to check it against {ENV_DENIED_NETWORKS}"
                ) from None
        target = request.extensions.get("target")
        if proxy is not None and target is not None and request.url.scheme == "http":
            # A forwarding proxy needs the absolute form of a raw (skipEncoding) target.
            origin = b"http://" + request.url.netloc
            request.extensions = {**request.extensions, "target": origin + target}
        response = await (proxy or self._direct).handle_async_request(request)
        response.stream = _CappedStream(response.stream, self._max_body)  # type: ignore[arg-type]
        return response

    def _proxy_for(self, url: httpx.URL) -> httpx.AsyncHTTPTransport | None:
        proxy = self._proxies.get(url.scheme)
        if proxy is None:
            return None
        if self._non_proxy is not None and self._non_proxy.fullmatch(url.host):
            return None
        return proxy

    async def aclose(self) -> None:
        await self._direct.aclose()
        for proxy in self._proxies.values():
            await proxy.aclose()


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        total = 0
        async for chunk in self._inner:
            total += len(chunk)
            if total > self._limit:
                raise ResponseTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class _DirectTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose network backend applies the rules."""

    def __init__(self, ssl_context: ssl.SSLContext, limits: httpx.Limits, rules: HostRules) -> None:
        super().__init__(verify=ssl_context, http1=True, http2=True, limits=limits)
        if rules.denied:
            # httpx offers no public hook for the network backend; swap in an equivalent pool.
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=True,
                network_backend=GuardedBackend(rules),
            )


def _direct_transport(
    ssl_context: ssl.SSLContext, limits: httpx.Limits, rules: HostRules
) -> httpx.AsyncHTTPTransport:
    return _DirectTransport(ssl_context, limits, rules)


def _proxy_transport(
    settings: ProxySettings, ssl_context: ssl.SSLContext, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    auth = (settings.user, settings.password or "") if settings.user else None
    proxy = httpx.Proxy(
        settings.url,
        auth=auth,
        ssl_context=ssl_context if settings.scheme == "https" else None,
    )
    return httpx.AsyncHTTPTransport(
        verify=ssl_context, http1=True, http2=True, limits=limits, proxy=proxy
    )


def _non_proxy_pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """Java ``http.nonProxyHosts`` syntax: ``|``-separated names, ``*`` as a wildcard."""
    if not patterns:
        return None
    alternatives = [".*".join(re.escape(part) for part in p.split("*")) for p in patterns]
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)
