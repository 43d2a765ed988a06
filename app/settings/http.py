"""Options of the HTTP-based connectors (REST, GraphQL).

The connectors read these variables themselves (``connectors/_http/config.py``, which must
not import ``app``); this mirror puts them in the configuration reference and validates them
at startup. Proxy and body-size names are Camunda's.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

MIB = 1024 * 1024


class HttpSettings(BaseModel):
    http_max_body_size: int = Field(
        50 * MIB,
        gt=0,
        validation_alias="CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE",
        description="Largest HTTP response body (bytes, after decompression) the REST and "
        "GraphQL connectors read; larger ones fail with code RESPONSE_TOO_LARGE.",
    )
    http_max_connections: int = Field(
        100,
        gt=0,
        validation_alias="SWITCHBOARD_HTTP_MAX_CONNECTIONS",
        description="Connection pool size of the shared HTTP client (per event loop).",
    )
    http_proxy_scheme: str | None = Field(
        None,
        pattern="^(?i:https?)$",
        validation_alias="CONNECTOR_HTTP_PROXY_SCHEME",
        description="Scheme of the proxy for http:// targets: http (default) or https.",
    )
    http_proxy_host: str | None = Field(
        None,
        validation_alias="CONNECTOR_HTTP_PROXY_HOST",
        description="Proxy host for http:// targets (used when the port is set too).",
    )
    http_proxy_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        validation_alias="CONNECTOR_HTTP_PROXY_PORT",
        description="Proxy port for http:// targets.",
    )
    http_proxy_user: str | None = Field(
        None,
        validation_alias="CONNECTOR_HTTP_PROXY_USER",
        description="Proxy user (Basic proxy authentication) for http:// targets.",
    )
    http_proxy_password: SecretStr | None = Field(
        None,
        validation_alias="CONNECTOR_HTTP_PROXY_PASSWORD",
        description="Proxy password for http:// targets.",
    )
    https_proxy_scheme: str | None = Field(
        None,
        pattern="^(?i:https?)$",
        validation_alias="CONNECTOR_HTTPS_PROXY_SCHEME",
        description="Scheme of the proxy for https:// targets (tunnelled with CONNECT): "
        "http (default) or https.",
    )
    https_proxy_host: str | None = Field(
        None,
        validation_alias="CONNECTOR_HTTPS_PROXY_HOST",
        description="Proxy host for https:// targets (used when the port is set too).",
    )
    https_proxy_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        validation_alias="CONNECTOR_HTTPS_PROXY_PORT",
        description="Proxy port for https:// targets.",
    )
    https_proxy_user: str | None = Field(
        None,
        validation_alias="CONNECTOR_HTTPS_PROXY_USER",
        description="Proxy user (Basic proxy authentication) for https:// targets.",
    )
    https_proxy_password: SecretStr | None = Field(
        None,
        validation_alias="CONNECTOR_HTTPS_PROXY_PASSWORD",
        description="Proxy password for https:// targets.",
    )
    http_non_proxy_hosts: str | None = Field(
        None,
        validation_alias="CONNECTOR_HTTP_NON_PROXY_HOSTS",
        description="Hosts reached without the proxy: |-separated, * as a wildcard "
        "(localhost|*.internal.example), as Java's http.nonProxyHosts.",
    )
    http_allowed_hosts: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_HTTP_ALLOWED_HOSTS",
        description="Off by default. Comma-separated host names the HTTP connectors may call "
        "(*.example.com matches subdomains; IPs and CIDRs match IP-literal URLs); checked on "
        "every request and redirect.",
    )
    http_denied_networks: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_HTTP_DENIED_NETWORKS",
        description="Off by default. Comma-separated CIDRs (e.g. 10.0.0.0/8,169.254.0.0/16) the "
        "HTTP connectors must not reach; checked after DNS resolution, on every redirect.",
    )
    http_ca_file: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_HTTP_CA_FILE",
        description="PEM file of extra CA certificates the HTTP connectors trust (added to "
        "the default roots).",
    )
    http_client_cert_file: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_HTTP_CLIENT_CERT_FILE",
        description="PEM client certificate (chain) the HTTP connectors present for mutual "
        "TLS; set together with SWITCHBOARD_HTTP_CLIENT_KEY_FILE.",
    )
    http_client_key_file: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_HTTP_CLIENT_KEY_FILE",
        description="PEM private key of SWITCHBOARD_HTTP_CLIENT_CERT_FILE.",
    )
    http_client_key_password: SecretStr | None = Field(
        None,
        validation_alias="SWITCHBOARD_HTTP_CLIENT_KEY_PASSWORD",
        description="Password of SWITCHBOARD_HTTP_CLIENT_KEY_FILE, if it is encrypted.",
    )
