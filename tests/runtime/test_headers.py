"""Reading the connector headers of a job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.runtime.headers import ConnectorHeaders, job_timeout, read_headers, retry_backoff
from app.runtime.model import Job


def job(**headers: str) -> Job:
    return Job.create(type="t", custom_headers=headers)


def test_reads_all_headers() -> None:
    headers = read_headers(
        {
            "resultVariable": "r",
            "resultExpression": "={a: 1}",
            "errorExpression": "=null",
            "retryBackoff": "PT5S",
            "jobTimeout": "PT1M",
            "elementTemplateId": "io.camunda.connectors.HttpJson.v2",
            "elementTemplateVersion": "7",
            "other": "ignored",
        }
    )
    assert headers == ConnectorHeaders(
        result_variable="r",
        result_expression="={a: 1}",
        error_expression="=null",
        retry_backoff="PT5S",
        job_timeout="PT1M",
        element_template_id="io.camunda.connectors.HttpJson.v2",
        element_template_version="7",
    )


def test_blank_expressions_are_absent_but_blank_durations_are_kept() -> None:
    headers = read_headers(
        {"resultVariable": " ", "resultExpression": "", "retryBackoff": "", "jobTimeout": ""}
    )
    assert headers.result_variable is None
    assert headers.result_expression is None
    assert headers.retry_backoff == ""
    assert headers.job_timeout == ""


def test_job_timeout_absent_or_blank_is_none() -> None:
    assert job_timeout(job()) is None
    assert job_timeout(job(jobTimeout="")) is None
    assert job_timeout(job(jobTimeout="  ")) is None


def test_job_timeout_parsed() -> None:
    assert job_timeout(job(jobTimeout="PT2M30S")) == timedelta(minutes=2, seconds=30)


@pytest.mark.parametrize("value", ["5m", "PT", "PT0S", "-PT5S", "PT0.0009S"])
def test_job_timeout_invalid_names_header(value: str) -> None:
    with pytest.raises(ValueError, match="header 'jobTimeout'"):
        job_timeout(job(jobTimeout=value))


def test_retry_backoff() -> None:
    assert retry_backoff(job()) is None
    assert retry_backoff(job(retryBackoff="PT0S")) == timedelta(0)
    assert retry_backoff(job(retryBackoff="pt10s")) == timedelta(seconds=10)
    # Camunda accepts a negative backoff: no wait.
    assert retry_backoff(job(retryBackoff="-PT5S")) == timedelta(0)


@pytest.mark.parametrize("value", ["", "10s", "P1Y", " PT1S"])
def test_retry_backoff_invalid_names_header(value: str) -> None:
    with pytest.raises(ValueError, match="header 'retryBackoff'"):
        retry_backoff(job(retryBackoff=value))
