"""Helpers shared by CLI subcommands."""

from __future__ import annotations

import sys

from dotenv import load_dotenv

from app.settings import Settings, SettingsError, load_settings


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
