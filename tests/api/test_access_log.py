"""One access log line per request: method, path without the query string, status, duration
in ms; never bodies, headers or query strings (issue 19.9)."""

from __future__ import annotations

import logging
import re

import pytest

from tests.api.harness import client
from tests.support.app import StartedApp

ECHO = "switchboard:echo:1"
LINE = re.compile(r"^(GET|POST) (\S+) (\d{3}) (\d+\.\d) ms$")


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "switchboard.access"]


async def test_one_line_per_request_without_query_or_body(
    app: StartedApp, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="switchboard.access")
    async with client(app, keys["operator"]) as c:
        await c.get("/api/v1/executions", params={"bpmnProcessId": "query-marker-123"})
        await c.post(
            f"/api/v1/connectors/{ECHO}/invoke",
            json={"variables": {"message": "body-marker-456"}},
        )
        await c.get("/no/such/page")
    async with client(app) as anonymous:
        await anonymous.get("/api/v1/executions")
    lines = _lines(caplog)
    assert len(lines) == 4, lines
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m[1], m[2], m[3]) for m in parsed if m] == [
        ("GET", "/api/v1/executions", "200"),
        ("POST", f"/api/v1/connectors/{ECHO}/invoke", "200"),
        ("GET", "/no/such/page", "404"),
        ("GET", "/api/v1/executions", "401"),
    ]
    text = "\n".join(lines) + "".join(str(vars(r)) for r in caplog.records)
    assert "query-marker-123" not in text and "body-marker-456" not in text
    assert keys["operator"] not in text
    record = next(r for r in caplog.records if r.name == "switchboard.access")
    assert record.http_status == 200 and record.http_path == "/api/v1/executions"  # type: ignore[attr-defined]


async def test_a_path_cannot_forge_a_log_line(
    app: StartedApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="switchboard.access")
    async with client(app) as c:
        await c.get("/x%0Afake%20200%20line")
    [line] = _lines(caplog)
    assert "\n" not in line and line.startswith("GET /x\\nfake 200 line 404 ")
