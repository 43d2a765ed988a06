"""One shared ``httpx.AsyncClient`` per event loop, plus the OAuth token cache.

The environment is read when a loop first needs a client; :func:`aclose` closes that loop's
clients, so the next request (for example after the configuration changed) starts afresh.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from connectors._http.config import HttpConfig
from connectors._http.oauth_cache import TokenCache
from connectors._http.tls import JobTls, environment_context, job_context
from connectors._http.transport import RoutingTransport

MAX_JOB_TLS_CLIENTS = 32
USER_AGENT = "Switchboard-HTTP-Connector"


@dataclass
class HttpState:
    """Everything shared by the HTTP connectors on one event loop."""

    config: HttpConfig
    client: httpx.AsyncClient
    tokens: TokenCache = field(default_factory=TokenCache)
    tls_clients: OrderedDict[str, httpx.AsyncClient] = field(default_factory=OrderedDict)
    tls_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def client_for(self, tls: JobTls | None) -> httpx.AsyncClient:
        """The shared client, or a cached one for a job's own TLS material."""
        if tls is None or tls.empty:
            return self.client
        key = tls.cache_key()
        async with self.tls_lock:
            client = self.tls_clients.get(key)
            if client is None:
                context = await asyncio.to_thread(job_context, tls, self.config)
                client = _new_client(self.config, context)
                self.tls_clients[key] = client
                if len(self.tls_clients) > MAX_JOB_TLS_CLIENTS:
                    _, oldest = self.tls_clients.popitem(last=False)
                    await oldest.aclose()
            else:
                self.tls_clients.move_to_end(key)
            return client

    async def aclose(self) -> None:
        clients = [self.client, *self.tls_clients.values()]
        self.tls_clients.clear()
        for client in clients:
            await client.aclose()


_states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HttpState] = (
    weakref.WeakKeyDictionary()
)


def state() -> HttpState:
    """This loop's shared state, created (from the environment) on first use."""
    loop = asyncio.get_running_loop()
    current = _states.get(loop)
    if current is None:
        config = HttpConfig.from_env()
        current = HttpState(config=config, client=_new_client(config, environment_context(config)))
        _states[loop] = current
    return current


async def aclose() -> None:
    """Close this loop's shared HTTP clients (idempotent). The runtime calls it on shutdown."""
    loop = asyncio.get_running_loop()
    current = _states.pop(loop, None)
    if current is not None:
        await current.aclose()


class _NoCookies(DefaultCookiePolicy):
    """The client is shared by all jobs: a cookie set for one job must never reach another."""

    def set_ok(self, cookie: object, request: object) -> bool:
        return False


def _new_client(config: HttpConfig, context: ssl.SSLContext) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=RoutingTransport(config, context),
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
        cookies=CookieJar(policy=_NoCookies()),
        follow_redirects=False,
        max_redirects=20,
    )
