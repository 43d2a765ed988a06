"""Operator configuration of the HTTP connectors, read from environment variables.

The names follow Camunda's connector runtime where one exists (proxies, body size); the
Switchboard-only options use the ``SWITCHBOARD_HTTP_`` prefix. :data:`SETTINGS` is the one
list of them: ``app/settings/http.py`` derives its fields from it for the configuration
reference and the start-up check (connectors never import ``app``).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from connectors.sdk.envconfig import env_text

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


@dataclass(frozen=True)
class Setting:
    """One operator option: its variable, default, kind and meaning."""

    env: str
    default: int | bool | None
    description: str
    kind: Literal["int", "text", "flag", "secret"] = "text"
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None


def _proxy_settings(protocol: str, targets: str, tunnel: str) -> tuple[Setting, ...]:
    prefix = f"CONNECTOR_{protocol}_PROXY_"
    return (
        Setting(
            prefix + "SCHEME",
            None,
            f"Scheme of the proxy for {targets} targets{tunnel}: http (default) or https.",
            pattern="^(?i:https?)$",
        ),
        Setting(
            prefix + "HOST",
            None,
            f"Proxy host for {targets} targets (used when the port is set too).",
        ),
        Setting(
            prefix + "PORT",
            None,
            f"Proxy port for {targets} targets.",
            "int",
            minimum=1,
            maximum=65535,
        ),
        Setting(
            prefix + "USER", None, f"Proxy user (Basic proxy authentication) for {targets} targets."
        ),
        Setting(prefix + "PASSWORD", None, f"Proxy password for {targets} targets.", "secret"),
    )


SETTINGS: tuple[Setting, ...] = (
    Setting(
        ENV_MAX_BODY,
        DEFAULT_MAX_BODY_BYTES,
        "Largest HTTP response body (bytes, after decompression) the REST and GraphQL "
        "connectors read; larger ones fail with code RESPONSE_TOO_LARGE.",
        "int",
        minimum=1,
    ),
    Setting(
        ENV_MAX_CONNECTIONS,
        DEFAULT_MAX_CONNECTIONS,
        "Connection pool size of the HTTP connectors' shared client (per event loop): at most "
        "this many connections are open at once; further requests wait for one.",
        "int",
        minimum=1,
    ),
    Setting(
        ENV_HTTP2,
        False,
        "Let the HTTP connectors negotiate HTTP/2 (ALPN over TLS). Off: HTTP/1.1 only, as "
        "Camunda's client (response header names keep the server's case).",
        "flag",
    ),
    *_proxy_settings("HTTP", "http://", ""),
    *_proxy_settings("HTTPS", "https://", " (tunnelled with CONNECT)"),
    Setting(
        ENV_NON_PROXY_HOSTS,
        None,
        "Hosts reached without the proxy: |-separated, * as a wildcard "
        "(localhost|*.internal.example), as Java's http.nonProxyHosts.",
    ),
    Setting(
        ENV_ALLOWED_HOSTS,
        None,
        "Off by default. Comma-separated host names the HTTP connectors may call "
        "(*.example.com matches subdomains; IPs and CIDRs match IP-literal URLs); checked on "
        "every request and redirect.",
    ),
    Setting(
        ENV_DENIED_NETWORKS,
        None,
        "Off by default. Comma-separated CIDRs (e.g. 10.0.0.0/8,169.254.0.0/16) the HTTP "
        "connectors must not reach; checked after DNS resolution, on every redirect.",
    ),
    Setting(
        ENV_CA_FILE,
        None,
        "PEM file of extra CA certificates the HTTP connectors trust (added to the default roots).",
    ),
    Setting(
        ENV_CLIENT_CERT_FILE,
        None,
        "PEM client certificate (chain) the HTTP connectors present for mutual TLS; set "
        f"together with {ENV_CLIENT_KEY_FILE}.",
    ),
    Setting(ENV_CLIENT_KEY_FILE, None, f"PEM private key of {ENV_CLIENT_CERT_FILE}."),
    Setting(
        ENV_CLIENT_KEY_PASSWORD,
        None,
        f"Password of {ENV_CLIENT_KEY_FILE}, if it is encrypted.",
        "secret",
    ),
)


class HttpConfigError(ValueError):
    """An invalid HTTP connector environment variable; the message names it."""


@dataclass(frozen=True)
class ProxySettings:
    """One forward proxy, for targets of one scheme."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


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
        cert = env_text(env, ENV_CLIENT_CERT_FILE)
        key = env_text(env, ENV_CLIENT_KEY_FILE)
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
            ca_file=env_text(env, ENV_CA_FILE),
            client_cert_file=cert,
            client_key_file=key,
            client_key_password=env_text(env, ENV_CLIENT_KEY_PASSWORD),
            http2=_flag(env, ENV_HTTP2),
        )


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env_text(env, name) or "false").lower()
    if raw in ("true", "1", "yes", "on"):
        return True
    if raw in ("false", "0", "no", "off"):
        return False
    raise HttpConfigError(f"{name} must be true or false, got {raw!r}")


def _split(value: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env_text(env, name)
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
    host = env_text(env, prefix + "HOST")
    port_text = env_text(env, prefix + "PORT")
    if not host or not port_text:
        return None
    try:
        port = int(port_text)
    except ValueError:
        raise HttpConfigError(f"{prefix}PORT must be an integer, got {port_text!r}") from None
    if not 1 <= port <= 65535:
        raise HttpConfigError(f"{prefix}PORT is out of range (1-65535): {port}")
    scheme = (env_text(env, prefix + "SCHEME") or "http").lower()
    if scheme not in ("http", "https"):
        raise HttpConfigError(f"{prefix}SCHEME must be http or https, got {scheme!r}")
    return ProxySettings(
        scheme=scheme,
        host=host,
        port=port,
        user=env_text(env, prefix + "USER"),
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
