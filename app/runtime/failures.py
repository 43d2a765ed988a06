"""Classify a failure: the retries and backoff it leaves the job with, and the ``error``
variable (``{type, message, code?, variables?}``) the job is failed with.

The rules follow Camunda's ``OutboundConnectorExceptionHandler``: an input error leaves no
retries, ``ConnectorRetryError`` sets its own, anything else costs one retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.runtime.durations import backoff_millis
from app.runtime.masking import SecretMasker
from app.runtime.model import Fail
from connectors.sdk.errors import ConnectorError, ConnectorRetryError, InputError, error_type
from connectors.sdk.javaforms import java_value_of

MAX_ERROR_MESSAGE_LENGTH = 6000
"""Failure and BPMN error messages are cut to this many characters (as Camunda does)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed execution before the error expression: what the job would be failed with."""

    error: dict[str, Any]
    retries: int
    backoff: timedelta | None
    code: str | None  # Switchboard's error code, for history and the REST outcome

    @property
    def response_value(self) -> Any:
        """What the error expression sees (``error`` and ``response.error``)."""
        return {"error": self.error}

    def outcome(self) -> Fail:
        """The ``Fail`` command: the error's message, retries, backoff and ``error`` variable."""
        return Fail(
            message=self.error["message"],
            retries=self.retries,
            backoff_ms=backoff_millis(self.backoff),
            variables={"error": self.error},
            error_code=self.code,
        )


def classify(
    exc: Exception, job_retries: int, backoff: timedelta | None, masker: SecretMasker
) -> Failure:
    """The failure ``exc`` means for a job that had ``job_retries`` left; ``backoff`` is the
    ``retryBackoff`` header's (``None`` when absent or not yet read)."""
    retries = job_retries - 1
    if isinstance(exc, InputError):
        retries = 0
    elif isinstance(exc, ConnectorRetryError):
        retries = retries if exc.retries is None else exc.retries
        backoff = backoff if exc.backoff is None else exc.backoff
    code = exc.code if isinstance(exc, ConnectorError | InputError) else None
    return Failure(error_variable(exc, masker), max(retries, 0), backoff, code)


def error_variable(exc: BaseException, masker: SecretMasker) -> dict[str, Any]:
    """``{type, message, code?, variables?}``: keys without a value are absent.

    ``code`` and ``variables`` come only from a ``ConnectorError`` that is not an input
    error (Camunda's ``ConnectorInputException`` has neither). The code is not masked: BPMN
    error boundary events match on it.
    """
    error: dict[str, Any] = {"type": error_type(exc), "message": cap(masker.mask(message(exc)))}
    if isinstance(exc, ConnectorError) and not isinstance(exc, InputError):
        if exc.code is not None:
            error["code"] = exc.code
        if exc.variables is not None:
            error["variables"] = masker.mask_value(exc.variables)
    return error


def message(exc: BaseException) -> str:
    """The error's message, or its type name when it has none."""
    text = exc.message if isinstance(exc, ConnectorError) else str(exc)
    return text or type(exc).__name__


def cap(text: str) -> str:
    return text[:MAX_ERROR_MESSAGE_LENGTH]


def fail_message(outcome: Fail) -> str:
    """The error message of the engine's fail command, as Camunda's job handler writes it: the
    failure message plus `` | Error variables: {...}`` (Java ``Map.toString`` form) whenever
    the failure carries variables, capped at 6000 characters. Camunda builds it in one place
    for every transport (``SpringConnectorJobHandler.prepareFailJobCommand``), so every
    engine sends this text."""
    message = outcome.message
    if outcome.variables:
        message = f"{message} | Error variables: {java_value_of(outcome.variables)}"
    return cap(message)
