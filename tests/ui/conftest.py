"""Fixtures of the admin UI tests (the API tests' database, app and keys)."""

from __future__ import annotations

from tests.api.conftest import app, keys, migrated  # noqa: F401  (fixtures)
