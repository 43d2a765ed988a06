"""Outbound host rules: an allow-list of host names and a deny-list of IP networks.

Both are off by default. Names are checked against the URL of every request and redirect
hop; networks are checked against every address the host resolves to, and direct
connections are then made only to the addresses that were checked (no second lookup that
DNS rebinding could change).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing

import httpcore

from connectors._http.config import ENV_ALLOWED_HOSTS, ENV_DENIED_NETWORKS, HttpConfig
from connectors._http.errors import HostNotAllowed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class HostRules:
    """The operator's outbound rules, from :class:`HttpConfig`."""

    def __init__(self, config: HttpConfig) -> None:
        self.allowed = config.allowed_hosts
        self.denied = config.denied_networks

    def check_name(self, host: str) -> None:
        """Raise :class:`HostNotAllowed` unless ``host`` matches the allow-list (if any)."""
        if not self.allowed:
            return
        name = host.lower().rstrip(".")
        literal = _ip(name)
        for pattern in self.allowed:
            if pattern.startswith("*."):
                if name.endswith(pattern[1:]) and name != pattern[2:]:
                    return
            elif "/" in pattern and literal is not None:
                try:
                    if literal in ipaddress.ip_network(pattern, strict=False):
                        return
                except ValueError:
                    continue
            elif name == pattern:
                return
        raise HostNotAllowed(f"Host '{host}' is not in {ENV_ALLOWED_HOSTS}")

    def check_addresses(self, host: str, addresses: typing.Iterable[str]) -> None:
        """Raise :class:`HostNotAllowed` if any resolved address is in a denied network."""
        for text in addresses:
            address = _ip(text)
            if address is None:
                continue
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            for network in self.denied:
                if address.version == network.version and address in network:
                    raise HostNotAllowed(
                        f"Host '{host}' resolves to an address in a network denied by "
                        f"{ENV_DENIED_NETWORKS}"
                    )

    async def resolve_checked(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and check every address; return the addresses in resolver order.

        Raises ``OSError`` when the name cannot be resolved."""
        literal = _ip(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = []
            for info in infos:
                address = str(info[4][0])
                if address not in addresses:
                    addresses.append(address)
        self.check_addresses(host, addresses)
        return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that resolves, checks, then connects to the checked addresses."""

    def __init__(self, rules: HostRules, inner: httpcore.AsyncNetworkBackend | None = None):
        self._rules = rules
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore interface
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if not self._rules.denied:
            return await self._inner.connect_tcp(
                host,
                port,
                timeout=timeout,
                local_address=local_address,
                socket_options=socket_options,
            )
        try:
            addresses = await self._rules.resolve_checked(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve host '{host}': {exc}") from exc
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore interface
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not supported")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
