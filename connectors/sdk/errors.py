"""Errors a connector raises to tell the runtime what went wrong."""

from __future__ import annotations

from datetime import timedelta
from typing import Any


class ConnectorError(Exception):
    """A failure the connector reports with a machine-readable ``code``.

    The runtime fails the job with ``retries - 1`` and exposes ``code``, ``message`` and
    ``variables`` to the element's ``errorExpression`` as ``error``.
    """

    def __init__(
        self, code: str | None, message: str, variables: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code: str | None = None if code is None else str(code)
        self.message = message
        self.variables = variables


class ConnectorInputError(ConnectorError):
    """The job's input cannot work: no retry can help, so the job fails with retries 0."""

    def __init__(
        self,
        message: str,
        errors: list[FieldError] | None = None,
        code: str = "INVALID_INPUT",
        variables: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code, message, variables)
        self.errors = list(errors or [])


class ConnectorRetryError(ConnectorError):
    """A failure that sets its own retry count and/or backoff instead of the defaults."""

    def __init__(
        self,
        message: str,
        code: str | None = None,
        retries: int | None = None,
        backoff: timedelta | None = None,
        variables: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code, message, variables)
        if retries is not None and retries < 0:
            raise ValueError("retries must be >= 0")
        self.retries = retries
        self.backoff = backoff


class FieldError:
    """One failing input field: its dotted path and the reason."""

    __slots__ = ("path", "reason")

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason

    def __repr__(self) -> str:
        return f"FieldError({self.path!r}, {self.reason!r})"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.path, self.reason) == (
            other.path,
            other.reason,
        )

    def __hash__(self) -> int:
        return hash((self.path, self.reason))
