"""Errors a connector raises to tell the runtime what went wrong.

Every error the runtime understands derives from :class:`SwitchboardError` and has a stable
``error_type``: the ``type`` written into a failed job's ``error`` variable and into the
execution history. Where Camunda's connector runtime raises an equivalent exception, the name
is Camunda's Java class name, so error expressions written for Camunda
(``if error.type = "io.camunda.connector.api.error.ConnectorInputException" ...``) match
unchanged. The name is a class attribute, not derived from the module: moving a class never
renames it.

Input errors (no retry can help: the job fails with retries 0) all derive from the marker
class :class:`InputError`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

CONNECTOR_EXCEPTION = "io.camunda.connector.api.error.ConnectorException"
CONNECTOR_RETRY_EXCEPTION = "io.camunda.connector.api.error.ConnectorRetryException"
CONNECTOR_INPUT_EXCEPTION = "io.camunda.connector.api.error.ConnectorInputException"


class SwitchboardError(Exception):
    """Root of the error tree; ``error_type`` is the stable name shown as ``error.type``."""

    error_type: ClassVar[str] = "switchboard.Error"


class InputError(SwitchboardError):
    """Marker base of input errors: the job's input cannot work, so no retry can help and
    the job fails with retries 0 (Camunda's ``ConnectorInputException``).

    Camunda's input exception carries no error code and no error variables, so neither
    appears in the job's ``error`` variable; ``code`` is Switchboard's own, kept for the
    execution history and the REST outcome only.
    """

    error_type: ClassVar[str] = CONNECTOR_INPUT_EXCEPTION
    code: str | None = None


class ConnectorError(SwitchboardError):
    """A failure the connector reports with a machine-readable ``code``.

    The runtime fails the job with ``retries - 1`` and exposes ``code``, ``message`` and
    ``variables`` to the element's ``errorExpression`` as ``error``.
    """

    error_type: ClassVar[str] = CONNECTOR_EXCEPTION

    def __init__(
        self, code: str | None, message: str, variables: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code: str | None = None if code is None else str(code)
        self.message = message
        self.variables = variables


class ConnectorInputError(ConnectorError, InputError):
    """The job's input cannot work: no retry can help, so the job fails with retries 0.

    ``code`` (default ``INVALID_INPUT``) and ``variables`` are recorded in the execution
    history but, as in Camunda, not put into the job's ``error`` variable.
    """

    error_type: ClassVar[str] = CONNECTOR_INPUT_EXCEPTION

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

    error_type: ClassVar[str] = CONNECTOR_RETRY_EXCEPTION

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


def error_type(exc: BaseException) -> str:
    """The stable ``error.type`` of ``exc``: its ``error_type`` for errors of this tree,
    else the bare class name (``RuntimeError``, ``KeyError``), never a module path."""
    if isinstance(exc, SwitchboardError):
        return exc.error_type
    return type(exc).__qualname__


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
