"""All configuration, from environment variables (and a ``.env`` file).

Each layer keeps its options in its own mixin module; :class:`Settings` combines them.
Every field's ``validation_alias`` is the environment variable that sets it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.settings.api import ApiSettings
from app.settings.camunda7 import Camunda7Settings
from app.settings.camunda_rest import CamundaRestSettings
from app.settings.email import EmailSettings
from app.settings.http import HttpSettings
from app.settings.inbound import InboundSettings
from app.settings.rabbitmq import RabbitMqSettings
from app.settings.runtime import RuntimeSettings
from app.settings.secrets import SecretsSettings
from app.settings.server import ServerSettings
from app.settings.sql import SqlSettings
from app.settings.zeebe import ZeebeSettings


class Settings(
    ServerSettings,
    RuntimeSettings,
    SecretsSettings,
    ZeebeSettings,
    CamundaRestSettings,
    Camunda7Settings,
    HttpSettings,
    EmailSettings,
    RabbitMqSettings,
    SqlSettings,
    InboundSettings,
    ApiSettings,
    BaseSettings,
):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        case_sensitive=False,
    )

    def check_serving(self) -> None:
        """Raise :class:`SettingsError` when these settings cannot serve HTTP safely.

        A random per-process UI session key is for the embedded (SQLite) setup only: with a
        shared database there may be replicas, and sessions must not end on every restart.
        """
        if (
            self.ui_enabled
            and self.session_secret is None
            and self.database_url.split(":", 1)[0].lower().startswith("postgres")
        ):
            raise SettingsError(
                "SWITCHBOARD_SESSION_SECRET: required to serve the admin UI when "
                "SWITCHBOARD_DATABASE_URL is PostgreSQL (replicas must sign UI sessions alike; "
                "24+ characters, e.g. `openssl rand -hex 32`), or set SWITCHBOARD_UI_ENABLED=false"
            )


class SettingsError(Exception):
    """Invalid configuration; ``str()`` is one line per problem naming the variable."""


def env_name(field_name: str) -> str:
    info = Settings.model_fields.get(field_name)
    alias = info.validation_alias if info is not None else None
    return alias if isinstance(alias, str) else field_name.upper()


def load_settings(**overrides: Any) -> Settings:
    """Read the environment; raise :class:`SettingsError` naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False, include_input=False):
            loc = err.get("loc")
            message = str(err.get("msg", "invalid value"))
            if loc:
                lines.append(f"{env_name(str(loc[0]))}: {message}")
            else:  # a check across settings names its variables itself
                lines.append(message.removeprefix("Value error, "))
        raise SettingsError("; ".join(lines)) from None
