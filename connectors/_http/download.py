"""A plain GET through the shared transport, for connectors that fetch a document by URL.

Host rules, proxies, the TLS settings and the body-size cap apply as to the REST connector;
redirects are not followed. Every failure is a :class:`~connectors._http.transport.
TransportError` (or ``HostNotAllowed``/``ResponseTooLarge``)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from connectors._http.clients import USER_AGENT, state
from connectors._http.hops import ProtocolError, send
from connectors._http.response import read_capped
from connectors._http.transport import Exchange, RequestNotSendable
from connectors._http.url import parse, wire_url

DOWNLOAD_TIMEOUT_SECONDS = 20.0


@dataclass(slots=True)
class Downloaded:
    status_code: int
    headers: httpx.Headers
    content: bytes


async def download(url: str, field: str = "url") -> Downloaded:
    st = state()
    exchange = Exchange(
        method="GET",
        url=wire_url(parse(url, field), [], False, field),
        headers=[("User-Agent", USER_AGENT)],
        body=None,
        connect_timeout=DOWNLOAD_TIMEOUT_SECONDS,
        read_timeout=DOWNLOAD_TIMEOUT_SECONDS,
    )
    try:
        response = await send(st, exchange, follow_redirects=False)
    except ProtocolError as exc:
        raise RequestNotSendable(str(exc)) from None
    try:
        content = await read_capped(response, st.config.max_body_bytes)
    finally:
        await response.aclose()
    return Downloaded(response.status, httpx.Headers(response.raw_headers), content)
