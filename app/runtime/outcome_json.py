"""The JSON shape of an outcome, shared by the CLI and the REST API."""

from __future__ import annotations

from typing import Any

from app.runtime.model import Complete, Fail, Outcome, ThrowError


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """``{"command", "variables", "errorCode", "errorMessage", "retries", "backoffMs"}``.

    Every key is always present; those that do not apply to the command are null.
    """
    if isinstance(outcome, Complete):
        return {
            "command": "complete",
            "variables": outcome.variables,
            "errorCode": None,
            "errorMessage": None,
            "retries": None,
            "backoffMs": None,
        }
    if isinstance(outcome, Fail):
        return {
            "command": "fail",
            "variables": outcome.variables,
            "errorCode": outcome.error_code,
            "errorMessage": outcome.message,
            "retries": outcome.retries,
            "backoffMs": outcome.backoff_ms,
        }
    if isinstance(outcome, ThrowError):
        return {
            "command": "throw_error",
            "variables": outcome.variables,
            "errorCode": outcome.code,
            "errorMessage": outcome.message,
            "retries": None,
            "backoffMs": None,
        }
    raise TypeError(f"not an outcome: {type(outcome).__name__}")


EXIT_CODES = {"complete": 0, "fail": 1, "throw_error": 3}
"""Process exit code per command, used by ``switchboard invoke``."""
