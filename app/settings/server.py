"""Server, logging and database options."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

# The URL schemes app.db.session can open (the plain forms get the async drivers).
_DATABASE_SCHEMES = ("sqlite", "sqlite+aiosqlite", "postgres", "postgresql", "postgresql+asyncpg")


class ServerSettings(BaseModel):
    host: str = Field(
        "127.0.0.1",
        validation_alias="SWITCHBOARD_HOST",
        description="Interface the HTTP server binds to.",
    )
    port: int = Field(
        8080, ge=1, le=65535, validation_alias="SWITCHBOARD_PORT", description="HTTP port."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", validation_alias="SWITCHBOARD_LOG_LEVEL", description="Root log level."
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        validation_alias="SWITCHBOARD_LOG_FORMAT",
        description="text for people, json (one object per line) for log pipelines.",
    )
    log_max_message_chars: int = Field(
        8192,
        ge=256,
        le=1_000_000,
        validation_alias="SWITCHBOARD_LOG_MAX_MESSAGE_CHARS",
        description="Longest log message (and traceback) written; longer ones are cut, "
        "saying how many characters were left out.",
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/switchboard.db",
        validation_alias="SWITCHBOARD_DATABASE_URL",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or "
        "postgresql+asyncpg://user:pass@host/db (postgresql:// is accepted too).",
    )
    shutdown_grace_seconds: float = Field(
        30.0,
        ge=0,
        validation_alias="SWITCHBOARD_SHUTDOWN_GRACE_SECONDS",
        description="On SIGTERM, how long in-flight jobs may run before the process exits.",
    )

    health_check_timeout_seconds: float = Field(
        1.0,
        gt=0,
        le=60,
        validation_alias="SWITCHBOARD_HEALTH_CHECK_TIMEOUT_SECONDS",
        description="How long a readiness check of one component may take; a slower one is "
        "reported down, so /health/ready always answers within about this time.",
    )

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        # Only the scheme is quoted back: the rest of the URL may hold a password.
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme.lower() not in _DATABASE_SCHEMES:
            raise ValueError(
                f"unsupported database URL scheme {scheme!r}: use sqlite+aiosqlite:///path or "
                "postgresql+asyncpg://user:pass@host/db"
            )
        return value
