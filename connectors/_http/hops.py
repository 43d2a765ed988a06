"""Send one exchange hop by hop: host rules, proxy choice and redirects.

Deciding these here keeps every transport alike. Redirects follow Apache HttpClient 5 as
Camunda's client configures it (camunda/connectors connector-commons/http-client/src/main/
java/io/camunda/connector/http/client/client/apache/proxy/ProxyAwareHttpClient.java with
DefaultRedirectStrategy; apache/httpcomponents-client RequestConfig: at most 50 redirects,
circular redirects refused; RedirectExec: 301/302 after POST and 303 become a GET without
the body). Read, not copied.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import quote, urljoin, urlsplit

from connectors._http.clients import HttpState
from connectors._http.config import ENV_DENIED_NETWORKS
from connectors._http.errors import HostNotAllowed
from connectors._http.response import header_value, read_capped
from connectors._http.transport import Exchange, Response

MAX_REDIRECTS = 50
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ProtocolError(Exception):
    """Too many or circular redirects, or a redirect to a URL that cannot be followed."""


async def send(st: HttpState, exchange: Exchange, *, follow_redirects: bool) -> Response:
    """Send ``exchange`` through the host rules and the proxy choice, following redirects
    (at most :data:`MAX_REDIRECTS`, none twice) when asked. The caller reads and closes the
    returned response."""
    visited: set[str] = set()
    current = exchange
    while True:
        response = await st.client.send(await _route(st, current))
        if not follow_redirects or response.status not in REDIRECT_STATUSES:
            return response
        location = header_value(response.raw_headers, b"location")
        if location is None:
            return response
        try:
            if len(visited) >= MAX_REDIRECTS:
                raise ProtocolError("too many redirects")
            next_url = _redirect_target(current.url, location)
            if next_url in visited:
                raise ProtocolError("circular redirect")
            visited.add(next_url)
            await read_capped(response, st.config.max_body_bytes)
        finally:
            await response.aclose()
        current = _redirected(current, response.status, next_url)


async def _route(st: HttpState, exchange: Exchange) -> Exchange:
    """Check the hop against the host rules and pick its proxy."""
    scheme, host, port = _origin(exchange.url)
    st.rules.check_name(host)
    proxy = st.proxy_for(scheme, host)
    if st.rules.denied:
        if _is_ip(host):
            st.rules.check_addresses(host, [host])
        elif proxy is not None:
            # The proxy connects for us, so resolve here; unresolvable means unverifiable.
            try:
                await st.rules.resolve_checked(host, port)
            except OSError:
                raise HostNotAllowed(
                    f"Host '{host}' cannot be resolved to check it against {ENV_DENIED_NETWORKS}"
                ) from None
    if proxy is None and exchange.proxy is None:
        return exchange
    return Exchange(
        exchange.method,
        exchange.url,
        exchange.headers,
        exchange.body,
        exchange.connect_timeout,
        exchange.read_timeout,
        exchange.tls,
        proxy,
    )


def _redirect_target(base: str, location: str) -> str:
    target = urljoin(base, location.strip()).split("#", 1)[0]
    # Characters a server should have escaped (spaces, non-ASCII) are escaped; escapes stay.
    target = quote(target, safe="!#$%&'()*+,/:;=?@[]~")
    parts = urlsplit(target)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ProtocolError("redirect to an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProtocolError("redirect to a URL that is not http(s)")
    return target


def _redirected(previous: Exchange, status: int, url: str) -> Exchange:
    method, body, headers = previous.method, previous.body, previous.headers
    if (status in (301, 302) and method == "POST") or (
        status == 303 and method not in ("GET", "HEAD")
    ):
        # As Apache's RedirectExec: the follow-up is a GET without the body.
        method, body = "GET", None
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
    if not _same_origin(previous.url, url):
        # Credentials set for one origin are not sent to another.
        headers = [(k, v) for k, v in headers if k.lower() != "authorization"]
    return Exchange(
        method,
        url,
        headers,
        body,
        previous.connect_timeout,
        previous.read_timeout,
        previous.tls,
    )


def _same_origin(first: str, second: str) -> bool:
    a, b = urlsplit(first), urlsplit(second)
    if (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port):
        return True
    # An upgrade from http to https on the same host and default ports keeps the origin.
    return (
        a.scheme == "http"
        and b.scheme == "https"
        and a.hostname == b.hostname
        and a.port in (None, 80)
        and b.port in (None, 443)
    )


@functools.lru_cache(maxsize=1024)
def _origin(url: str) -> tuple[str, str, int]:
    """Scheme, host (lower case, no brackets) and port of a URL (jobs repeat URLs)."""
    parts = urlsplit(url)
    return (
        parts.scheme,
        parts.hostname or "",
        parts.port or (443 if parts.scheme == "https" else 80),
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
