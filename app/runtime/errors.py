"""Failures the runtime itself detects, before or after the connector runs.

Their qualified class names appear as ``error.type`` in the ``error`` variable of a failed job,
the way Camunda's runtime exposes Java exception class names.
"""

from __future__ import annotations

from connectors.sdk.errors import ConnectorInputError


class InvalidRetryBackoffError(ValueError):
    """The ``retryBackoff`` header is not an ISO-8601 duration: fail with retries 0."""


class InvalidJobTimeoutError(ValueError):
    """The ``jobTimeout`` header is not a positive ISO-8601 duration: fail with retries 0."""


class UnknownJobTypeError(LookupError):
    """No connector is registered for the job's type: fail with retries 0."""

    def __init__(self, job_type: str) -> None:
        super().__init__(f"No connector is registered for job type '{job_type}'")
        self.job_type = job_type


class ConnectorTimeoutError(TimeoutError):
    """The connector did not finish within its timeout: an ordinary failure (retries - 1)."""


class VariablesTooLargeError(ConnectorInputError):
    """Input or output variables exceed the configured size limit: an input error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="VARIABLES_TOO_LARGE")


class ExpressionError(RuntimeError):
    """A ``resultExpression`` or ``errorExpression`` failed to compile or evaluate."""


class ExpressionResultError(ConnectorInputError):
    """An expression yielded something of the wrong shape (e.g. not a context): input error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_EXPRESSION_RESULT")
