"""Helpers shared by CLI subcommands."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from app.cli import exits
from app.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from app.runtime.registry import ConnectorRegistry


def settings_or_exit() -> Settings:
    """Load ``.env`` and the settings; on a bad value print one line naming the variable and
    exit 78 (configuration error)."""
    # Connector discovery, the environment secret provider and the HTTP connectors read
    # os.environ, not Settings: put .env there too (the process environment still wins).
    load_dotenv(".env", override=False)
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"switchboard: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(exits.CONFIG) from None


def registry_or_exit(prefix: str, exit_code: int = exits.CONFIG) -> ConnectorRegistry:
    """Discover the connectors; on a discovery error print ``<prefix>: <reason>`` (one line)
    and exit with ``exit_code``."""
    from app.runtime.discovery import DiscoveryError
    from app.runtime.registry import ConnectorRegistry

    try:
        return ConnectorRegistry.from_environment(os.environ)
    except DiscoveryError as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        raise SystemExit(exit_code) from None


def shown_url(url: str) -> str:
    """A database URL fit for an error message: the password replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unparsable URL)"
