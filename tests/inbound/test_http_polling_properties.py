"""The HTTP polling connector's interval properties: ISO-8601 durations as Java's
``Duration.parse`` reads them (camunda/connectors connectors/http/polling
``model/PollingIntervalConfiguration.java`` binds ``httpRequestInterval`` to a
``java.time.Duration``, default 50 seconds)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from connectors.http_polling import request_spec
from connectors.http_polling.properties import PollingProperties, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT50S", dt.timedelta(seconds=50)),
        ("PT0.05S", dt.timedelta(milliseconds=50)),
        ("pt1m30s", dt.timedelta(minutes=1, seconds=30)),
        ("P1DT2H", dt.timedelta(days=1, hours=2)),
        ("PT1,5S", dt.timedelta(seconds=1.5)),
        ("-PT1S", dt.timedelta(seconds=-1)),
        ("", None),
        ("  ", None),
    ],
)
def test_durations_parse_as_java_does(text: str, expected: dt.timedelta | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["PT", "P", "50", "P1W", "PT1H2", "every minute", "PT1.5M"])
def test_what_java_refuses_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ISO-8601 duration"):
        parse_duration(text)


def test_defaults_and_the_request() -> None:
    props = PollingProperties.model_validate({"url": "http://127.0.0.1:1/x"})
    assert props.interval == dt.timedelta(seconds=50)  # Camunda's default
    spec = request_spec(props)
    assert (spec.method, spec.url, spec.connect_timeout, spec.read_timeout) == (
        "GET",
        "http://127.0.0.1:1/x",
        20.0,
        20.0,
    )
    with pytest.raises(ValidationError, match="Must be a http"):
        PollingProperties.model_validate({"url": "ftp://x"})
