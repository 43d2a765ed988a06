"""Helpers shared by CLI subcommands."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from app.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from app.runtime.registry import ConnectorRegistry


def settings_or_exit() -> Settings:
    """Load ``.env`` and the settings; on a bad value print one line naming the variable and
    exit 2."""
    # Connector discovery, the environment secret provider and the HTTP connectors read
    # os.environ, not Settings: put .env there too (the process environment still wins).
    load_dotenv(".env", override=False)
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"switchboard: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def registry_or_exit(prefix: str, exit_code: int = 2) -> ConnectorRegistry:
    """Discover the connectors; on a discovery error print ``<prefix>: <reason>`` (one line)
    and exit with ``exit_code``."""
    from app.runtime.discovery import DiscoveryError
    from app.runtime.registry import ConnectorRegistry

    try:
        return ConnectorRegistry.from_environment(os.environ)
    except DiscoveryError as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        raise SystemExit(exit_code) from None
