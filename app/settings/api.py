"""REST API, authentication, metrics and admin UI options."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

MIN_KEY_LENGTH = 24


class ApiSettings(BaseModel):
    admin_api_key: SecretStr | None = Field(
        None,
        validation_alias="SWITCHBOARD_ADMIN_API_KEY",
        description="An admin API key created at start-up when absent (for containers). At "
        f"least {MIN_KEY_LENGTH} characters; only its SHA-256 hash is stored. Never logged.",
    )
    metrics_require_auth: bool = Field(
        False,
        validation_alias="SWITCHBOARD_METRICS_REQUIRE_AUTH",
        description="true: /metrics needs an API key (any role); false: it is open.",
    )
    session_secret: SecretStr | None = Field(
        None,
        validation_alias="SWITCHBOARD_SESSION_SECRET",
        description="Key signing admin UI session cookies. Unset: a random key per process "
        "(sessions end on restart; set it when several replicas serve the UI).",
    )
    session_max_age_seconds: int = Field(
        8 * 3600,
        ge=60,
        le=30 * 24 * 3600,
        validation_alias="SWITCHBOARD_SESSION_MAX_AGE_SECONDS",
        description="Lifetime of an admin UI session.",
    )
    session_cookie_secure: bool = Field(
        False,
        validation_alias="SWITCHBOARD_SESSION_COOKIE_SECURE",
        description="Mark the session cookie Secure (set true when the UI is served over HTTPS).",
    )
    ui_enabled: bool = Field(
        True,
        validation_alias="SWITCHBOARD_UI_ENABLED",
        description="Serve the admin UI under /ui.",
    )
    auth_max_failures: int = Field(
        10,
        ge=0,
        le=100_000,
        validation_alias="SWITCHBOARD_AUTH_MAX_FAILURES",
        description="Failed authentications (UI sign-ins and API requests with an invalid key) "
        "allowed per client address within SWITCHBOARD_AUTH_FAILURE_WINDOW_SECONDS; more are "
        "answered 429 with Retry-After. 0 turns the limit off. Counted per process.",
    )
    auth_failure_window_seconds: int = Field(
        300,
        ge=1,
        le=86_400,
        validation_alias="SWITCHBOARD_AUTH_FAILURE_WINDOW_SECONDS",
        description="The sliding window in which failed authentications are counted.",
    )
    auth_failure_max_clients: int = Field(
        10_000,
        ge=1,
        le=1_000_000,
        validation_alias="SWITCHBOARD_AUTH_FAILURE_MAX_CLIENTS",
        description="How many client addresses the failure limit remembers (bounds its "
        "memory); past that the least recently failing ones are forgotten.",
    )
    max_request_bytes: int = Field(
        5 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        validation_alias="SWITCHBOARD_MAX_REQUEST_BYTES",
        description="Largest request body accepted on any route; a larger one is answered "
        "413 without reading the rest (after authentication, which needs no body). Keep it "
        "above SWITCHBOARD_MAX_INPUT_VARIABLES_BYTES so invocations of that size fit.",
    )
    max_json_depth: int = Field(
        128,
        ge=2,
        le=500,
        validation_alias="SWITCHBOARD_MAX_JSON_DEPTH",
        description="Deepest nesting of arrays and objects accepted in a JSON request body "
        "(422 beyond it).",
    )
    trusted_proxies: str = Field(
        "",
        validation_alias="SWITCHBOARD_TRUSTED_PROXIES",
        description="Comma list of proxy addresses (or CIDR networks) whose X-Forwarded-For "
        "and X-Forwarded-Proto headers are believed. Empty: none, the connecting address is "
        "the client (the failed-authentication limit counts it). Set it to your ingress or "
        "load balancer when one sits in front.",
    )
    local_admin_key_file: str = Field(
        "var/admin-api-key",
        validation_alias="SWITCHBOARD_LOCAL_ADMIN_KEY_FILE",
        description="Where `switchboard apikey ensure-local` keeps the local admin key "
        "(mode 0600).",
    )

    operate_url: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_OPERATE_URL",
        description="Camunda Operate's address, e.g. http://localhost:8080/operate. When set, "
        "an execution's page in the admin UI links to its process instance in Operate "
        "({OPERATE_URL}/processes/{processInstanceKey}).",
    )

    @field_validator("operate_url", mode="before")
    @classmethod
    def _check_operate_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            return value
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("must be an http:// or https:// URL")
        if parsed.query or parsed.fragment:
            raise ValueError("must not have a query string or fragment")
        return value.strip().rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for entry in (e.strip() for e in value.split(",")):
            if not entry:
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or CIDR network") from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies, one address or network per item."""
        return [e.strip() for e in self.trusted_proxies.split(",") if e.strip()]

    @field_validator("admin_api_key", "session_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_api_key", "session_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_KEY_LENGTH} characters")
        return value
