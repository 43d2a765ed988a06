"""Failures the runtime itself detects, before or after the connector runs.

Each has a stable ``error_type`` (``error.type`` in the job's ``error`` variable): Camunda's
class name where its runtime raises an equivalent exception, else a ``switchboard.`` name.
docs/runtime.md lists them.
"""

from __future__ import annotations

from typing import ClassVar

from connectors.sdk.errors import ConnectorInputError, InputError, SwitchboardError

INVALID_BACKOFF_EXCEPTION = (
    "io.camunda.connector.runtime.core.error.InvalidBackOffDurationException"
)
INVALID_JOB_TIMEOUT_EXCEPTION = "io.camunda.connector.runtime.core.error.InvalidJobTimeoutException"
FEEL_EXCEPTION = "io.camunda.connector.feel.FeelEngineWrapperException"


class InvalidRetryBackoffError(InputError):
    """The ``retryBackoff`` header is not an ISO-8601 duration: fail with retries 0."""

    error_type: ClassVar[str] = INVALID_BACKOFF_EXCEPTION


class InvalidJobTimeoutError(InputError):
    """The ``jobTimeout`` header is not a positive ISO-8601 duration: fail with retries 0."""

    error_type: ClassVar[str] = INVALID_JOB_TIMEOUT_EXCEPTION


class UnknownJobTypeError(InputError):
    """No connector is registered for the job's type: fail with retries 0."""

    error_type: ClassVar[str] = "switchboard.UnknownJobTypeError"

    def __init__(self, job_type: str) -> None:
        super().__init__(f"No connector is registered for job type '{job_type}'")
        self.job_type = job_type


class ConnectorTimeoutError(SwitchboardError, TimeoutError):
    """The connector did not finish within its timeout: an ordinary failure (retries - 1)."""

    error_type: ClassVar[str] = "switchboard.ConnectorTimeoutError"


class VariablesTooLargeError(ConnectorInputError):
    """Input or output variables exceed the configured size limit: an input error (Camunda
    raises a ``ConnectorInputException`` for output over its 1.5 MB limit)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="VARIABLES_TOO_LARGE")


class ExpressionError(SwitchboardError):
    """A ``resultExpression`` or ``errorExpression`` failed to compile or evaluate."""

    error_type: ClassVar[str] = FEEL_EXCEPTION


class ExpressionResultError(ConnectorInputError):
    """An expression yielded something of the wrong shape (e.g. not a context): an input
    error, a ``ConnectorInputException`` in Camunda."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_EXPRESSION_RESULT")
