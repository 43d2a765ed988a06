"""The custom headers Camunda's connector templates put on a service task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from app.runtime.durations import parse_java_duration
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
    "read_headers",
    "retry_backoff",
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


def _duration_header(job: Job, name: str) -> timedelta | None:
    raw = job.custom_headers.get(name)
    if raw is None:
        return None
    try:
        return parse_java_duration(raw if isinstance(raw, str) else str(raw))
    except ValueError as exc:
        raise ValueError(f"header '{name}': {exc}") from None


def retry_backoff(job: Job) -> timedelta | None:
    """The ``retryBackoff`` header as a duration; ``None`` if absent.

    Raises ``ValueError`` naming the header when it is present but not a Java ISO-8601
    duration, an empty string included (Camunda parses it with ``Duration.parse``). A
    negative duration is accepted, like Camunda does, and means no backoff.
    """
    value = _duration_header(job, RETRY_BACKOFF)
    if value is not None and value < timedelta(0):
        return timedelta(0)
    return value


def job_timeout(job: Job) -> timedelta | None:
    """The ``jobTimeout`` header as a duration; ``None`` if absent or blank.

    Raises ``ValueError`` naming the header when it is not a Java ISO-8601 duration or is
    shorter than one millisecond (Zeebe counts job timeouts in whole milliseconds).
    """
    raw = job.custom_headers.get(JOB_TIMEOUT)
    if raw is None or not str(raw).strip():
        return None
    value = _duration_header(job, JOB_TIMEOUT)
    if value is None or value < timedelta(milliseconds=1):
        raise ValueError(f"header '{JOB_TIMEOUT}': must be a positive duration, got {raw!r}")
    return value
