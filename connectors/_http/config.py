"""Operator configuration of the HTTP connectors, read from environment variables.

The names follow Camunda's connector runtime where one exists (proxies, body size); the
Switchboard-only options use the ``SWITCHBOARD_HTTP_`` prefix. ``app/settings/http.py`` mirrors
this list for the configuration reference.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_CONNECTIONS = 100

ENV_MAX_BODY = "CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE"
ENV_NON_PROXY_HOSTS = "CONNECTOR_HTTP_NON_PROXY_HOSTS"
ENV_ALLOWED_HOSTS = "SWITCHBOARD_HTTP_ALLOWED_HOSTS"
ENV_DENIED_NETWORKS = "SWITCHBOARD_HTTP_DENIED_NETWORKS"
ENV_CA_FILE = "SWITCHBOARD_HTTP_CA_FILE"
ENV_CLIENT_CERT_FILE = "SWITCHBOARD_HTTP_CLIENT_CERT_FILE"
ENV_CLIENT_KEY_FILE = "SWITCHBOARD_HTTP_CLIENT_KEY_FILE"
ENV_CLIENT_KEY_PASSWORD = "SWITCHBOARD_HTTP_CLIENT_KEY_PASSWORD"
ENV_MAX_CONNECTIONS = "SWITCHBOARD_HTTP_MAX_CONNECTIONS"
ENV_HTTP2 = "SWITCHBOARD_HTTP_HTTP2"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class HttpConfigError(ValueError):
    """An invalid HTTP connector environment variable; the message names it."""


@dataclass(frozen=True)
class ProxySettings:
    """One forward proxy, for targets of one scheme."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def __repr__(self) -> str:  # never show the password
        return f"ProxySettings(url={self.url!r}, user={self.user!r})"


@dataclass(frozen=True)
class HttpConfig:
    """Everything the shared HTTP client needs from the environment."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    http_proxy: ProxySettings | None = None
    https_proxy: ProxySettings | None = None
    non_proxy_hosts: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    denied_networks: tuple[Network, ...] = ()
    ca_file: str | None = None
    client_cert_file: str | None = None
    client_key_file: str | None = None
    client_key_password: str | None = None
    http2: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HttpConfig:
        """Read the configuration; raise :class:`HttpConfigError` naming a bad variable."""
        env = os.environ if environ is None else environ
        cert = _text(env, ENV_CLIENT_CERT_FILE)
        key = _text(env, ENV_CLIENT_KEY_FILE)
        if bool(cert) != bool(key):
            raise HttpConfigError(
                f"{ENV_CLIENT_CERT_FILE} and {ENV_CLIENT_KEY_FILE} must be set together"
            )
        return cls(
            max_body_bytes=_positive_int(env, ENV_MAX_BODY, DEFAULT_MAX_BODY_BYTES),
            max_connections=_positive_int(env, ENV_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS),
            http_proxy=_proxy(env, "HTTP"),
            https_proxy=_proxy(env, "HTTPS"),
            non_proxy_hosts=_split(env.get(ENV_NON_PROXY_HOSTS, ""), "|"),
            allowed_hosts=tuple(h.lower() for h in _split(env.get(ENV_ALLOWED_HOSTS, ""), ",")),
            denied_networks=_networks(env),
            ca_file=_text(env, ENV_CA_FILE),
            client_cert_file=cert,
            client_key_file=key,
            client_key_password=_text(env, ENV_CLIENT_KEY_PASSWORD),
            http2=_flag(env, ENV_HTTP2),
        )


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (_text(env, name) or "false").lower()
    if raw in ("true", "1", "yes", "on"):
        return True
    if raw in ("false", "0", "no", "off"):
        return False
    raise HttpConfigError(f"{name} must be true or false, got {raw!r}")


def _split(value: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HttpConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value <= 0:
        raise HttpConfigError(f"{name} must be > 0, got {value}")
    return value


def _proxy(env: Mapping[str, str], protocol: str) -> ProxySettings | None:
    prefix = f"CONNECTOR_{protocol}_PROXY_"
    host = _text(env, prefix + "HOST")
    port_text = _text(env, prefix + "PORT")
    if not host or not port_text:
        return None
    try:
        port = int(port_text)
    except ValueError:
        raise HttpConfigError(f"{prefix}PORT must be an integer, got {port_text!r}") from None
    if not 1 <= port <= 65535:
        raise HttpConfigError(f"{prefix}PORT is out of range (1-65535): {port}")
    scheme = (_text(env, prefix + "SCHEME") or "http").lower()
    if scheme not in ("http", "https"):
        raise HttpConfigError(f"{prefix}SCHEME must be http or https, got {scheme!r}")
    return ProxySettings(
        scheme=scheme,
        host=host,
        port=port,
        user=_text(env, prefix + "USER"),
        password=env.get(prefix + "PASSWORD") or None,
    )


def _networks(env: Mapping[str, str]) -> tuple[Network, ...]:
    result: list[Network] = []
    for entry in _split(env.get(ENV_DENIED_NETWORKS, ""), ","):
        try:
            result.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise HttpConfigError(
                f"{ENV_DENIED_NETWORKS}: {entry!r} is not an IP network (CIDR) or address"
            ) from None
    return tuple(result)
