"""Fixtures of the deployment tests."""

from tests.support.openbao import openbao  # noqa: F401  (the session's OpenBao dev server)
