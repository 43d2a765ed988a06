"""Helpers shared by CLI subcommands."""

from __future__ import annotations

import sys

from app.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    """Load settings; on a bad value print one line naming the variable and exit 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"switchboard: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
