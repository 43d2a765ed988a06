"""REST API, authentication, metrics and admin UI options."""

from __future__ import annotations

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
    local_admin_key_file: str = Field(
        "var/admin-api-key",
        validation_alias="SWITCHBOARD_LOCAL_ADMIN_KEY_FILE",
        description="Where `switchboard apikey ensure-local` keeps the local admin key "
        "(mode 0600).",
    )

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
