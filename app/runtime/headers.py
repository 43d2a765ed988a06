"""The custom headers Camunda's connector templates put on a service task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from app.runtime.durations import parse_java_duration
from app.runtime.errors import InvalidJobTimeoutError, InvalidRetryBackoffError
from app.runtime.model import Job

RESULT_VARIABLE = "resultVariable"
RESULT_EXPRESSION = "resultExpression"
ERROR_EXPRESSION = "errorExpression"
RETRY_BACKOFF = "retryBackoff"
JOB_TIMEOUT = "jobTimeout"
ELEMENT_TEMPLATE_ID = "elementTemplateId"
ELEMENT_TEMPLATE_VERSION = "elementTemplateVersion"

__all__ = [
    "ELEMENT_TEMPLATE_ID",
    "ELEMENT_TEMPLATE_VERSION",
    "ERROR_EXPRESSION",
    "JOB_TIMEOUT",
    "RESULT_EXPRESSION",
    "RESULT_VARIABLE",
    "RETRY_BACKOFF",
    "ConnectorHeaders",
    "job_timeout",
    "parse_job_timeout",
    "parse_retry_backoff",
    "read_headers",
    "retry_backoff",
    "validated_backoff",
]


@dataclass(frozen=True)
class ConnectorHeaders:
    """The connector-related headers of one job, raw (strings as the modeler wrote them)."""

    result_variable: str | None = None
    result_expression: str | None = None
    error_expression: str | None = None
    retry_backoff: str | None = None
    job_timeout: str | None = None
    element_template_id: str | None = None
    element_template_version: str | None = None


def _text(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _non_blank(headers: Mapping[str, str], name: str) -> str | None:
    value = _text(headers, name)
    return value if value is not None and value.strip() else None


def read_headers(headers: Mapping[str, str]) -> ConnectorHeaders:
    """Pick the connector headers out of a job's custom headers.

    Blank result/error settings count as absent (the modeler leaves empty strings behind);
    ``retryBackoff`` and ``jobTimeout`` are kept verbatim (an empty ``retryBackoff`` is
    invalid, an empty ``jobTimeout`` is ignored, as in Camunda).
    """
    return ConnectorHeaders(
        result_variable=_non_blank(headers, RESULT_VARIABLE),
        result_expression=_non_blank(headers, RESULT_EXPRESSION),
        error_expression=_non_blank(headers, ERROR_EXPRESSION),
        retry_backoff=_text(headers, RETRY_BACKOFF),
        job_timeout=_text(headers, JOB_TIMEOUT),
        element_template_id=_non_blank(headers, ELEMENT_TEMPLATE_ID),
        element_template_version=_non_blank(headers, ELEMENT_TEMPLATE_VERSION),
    )


def _duration(raw: str | None, name: str) -> timedelta | None:
    if raw is None:
        return None
    try:
        return parse_java_duration(raw)
    except ValueError as exc:
        raise ValueError(f"header '{name}': {exc}") from None


def parse_retry_backoff(raw: str | None) -> timedelta | None:
    """The ``retryBackoff`` header text as a duration; ``None`` if absent.

    Raises ``ValueError`` naming the header when it is present but not a Java ISO-8601
    duration, an empty string included (Camunda parses it with ``Duration.parse``). A
    negative duration is accepted, like Camunda does, and means no backoff.
    """
    value = _duration(raw, RETRY_BACKOFF)
    if value is not None and value < timedelta(0):
        return timedelta(0)
    return value


def parse_job_timeout(raw: str | None) -> timedelta | None:
    """The ``jobTimeout`` header text as a duration; ``None`` if absent or blank.

    Raises ``ValueError`` naming the header when it is not a Java ISO-8601 duration or is
    shorter than one millisecond (Zeebe counts job timeouts in whole milliseconds).
    """
    if raw is None or not raw.strip():
        return None
    value = _duration(raw, JOB_TIMEOUT)
    if value is None or value < timedelta(milliseconds=1):
        raise ValueError(f"header '{JOB_TIMEOUT}': must be a positive duration, got {raw!r}")
    return value


def retry_backoff(job: Job) -> timedelta | None:
    """:func:`parse_retry_backoff` of the job's ``retryBackoff`` header."""
    return parse_retry_backoff(_text(job.info.custom_headers, RETRY_BACKOFF))


def job_timeout(job: Job) -> timedelta | None:
    """:func:`parse_job_timeout` of the job's ``jobTimeout`` header."""
    return parse_job_timeout(_text(job.info.custom_headers, JOB_TIMEOUT))


def validated_backoff(headers: ConnectorHeaders) -> timedelta | None:
    """Check ``retryBackoff`` and ``jobTimeout``; return the backoff (``None`` if absent).

    Raises ``InvalidRetryBackoffError`` / ``InvalidJobTimeoutError`` (input errors).
    """
    try:
        backoff = parse_retry_backoff(headers.retry_backoff)
    except ValueError as exc:
        raise InvalidRetryBackoffError(str(exc)) from None
    try:
        parse_job_timeout(headers.job_timeout)
    except ValueError as exc:
        raise InvalidJobTimeoutError(str(exc)) from None
    return backoff
