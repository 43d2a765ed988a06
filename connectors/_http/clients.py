"""The HTTP connectors' shared state per event loop: one pooled transport, TLS contexts, tokens.

The environment is read when a loop first needs the state; :func:`aclose` closes that loop's
transport (the connectors' ``shutdown`` hook), so the next request starts afresh.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections import OrderedDict
from dataclasses import dataclass, field

from connectors._http.aiohttp_transport import AiohttpTransport
from connectors._http.config import HttpConfig, ProxySettings
from connectors._http.h2_transport import Http2Transport
from connectors._http.hostrules import HostRules
from connectors._http.oauth_cache import TokenCache
from connectors._http.tls import JobTls, environment_context, job_context
from connectors._http.transport import Transport
from connectors.sdk.perloop import PerLoop

MAX_JOB_TLS_CONTEXTS = 32
USER_AGENT = "Switchboard-HTTP-Connector"


@dataclass
class HttpState:
    """Everything the HTTP connectors share on one event loop.

    ``client`` is the one pooled transport for this configuration (bounded by
    ``SWITCHBOARD_HTTP_MAX_CONNECTIONS``); a job's own ``clientTls`` material gets a cached
    TLS context whose connections are pooled separately within the same bound.
    """

    config: HttpConfig
    rules: HostRules
    client: Transport
    tokens: TokenCache = field(default_factory=TokenCache)
    tls_contexts: OrderedDict[str, ssl.SSLContext] = field(default_factory=OrderedDict)
    tls_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self._non_proxy = _non_proxy_pattern(self.config.non_proxy_hosts)

    async def context_for(self, tls: JobTls | None) -> ssl.SSLContext | None:
        """``None`` (the environment's context) or the cached context for a job's material."""
        if tls is None or tls.empty:
            return None
        key = tls.cache_key()
        async with self.tls_lock:
            context = self.tls_contexts.get(key)
            if context is not None:
                self.tls_contexts.move_to_end(key)
                return context
            context = await asyncio.to_thread(job_context, tls, self.config)
            if not self.config.http2:
                context.set_alpn_protocols(["http/1.1"])
            self.tls_contexts[key] = context
            if len(self.tls_contexts) > MAX_JOB_TLS_CONTEXTS:
                _, oldest = self.tls_contexts.popitem(last=False)
                if isinstance(self.client, Http2Transport):
                    await self.client.forget(oldest)
            return context

    def proxy_for(self, scheme: str, host: str) -> ProxySettings | None:
        """The proxy for a target, unless its host is in ``CONNECTOR_HTTP_NON_PROXY_HOSTS``."""
        proxy = self.config.https_proxy if scheme == "https" else self.config.http_proxy
        if proxy is None or (self._non_proxy is not None and self._non_proxy.fullmatch(host)):
            return None
        return proxy

    async def aclose(self) -> None:
        self.tls_contexts.clear()
        await self.client.aclose()


def _new_state() -> HttpState:
    config = HttpConfig.from_env()
    rules = HostRules(config)
    return HttpState(config=config, rules=rules, client=new_transport(config, rules))


_states: PerLoop[HttpState] = PerLoop(_new_state)


def state() -> HttpState:
    """This loop's shared state, created (from the environment) on first use."""
    return _states.get()


def new_transport(config: HttpConfig, rules: HostRules) -> Transport:
    """The transport for ``config``: aiohttp (HTTP/1.1), or httpx with HTTP/2 when opted in."""
    context = environment_context(config)
    if config.http2:
        return Http2Transport(config, context, rules)
    context.set_alpn_protocols(["http/1.1"])
    return AiohttpTransport(config, context, rules)


async def aclose() -> None:
    """Close this loop's shared HTTP transport (idempotent). The runtime calls it on shutdown."""
    await _states.aclose()


def _non_proxy_pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """Java ``http.nonProxyHosts`` syntax: ``|``-separated names, ``*`` as a wildcard."""
    if not patterns:
        return None
    alternatives = [".*".join(re.escape(part) for part in p.split("*")) for p in patterns]
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)
