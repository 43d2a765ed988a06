"""Credentials typed literally into a process are masked like resolved secrets (issue 15
point 3): fields declared ``secret=True`` (or ``SecretStr``) never show their value in the
outcome people see, the history record or the log."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, SecretStr

from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.model import Complete, Fail, Job
from connectors.sdk import ConnectorError, Property, outbound_connector
from connectors.sdk.secret_fields import secret_bindings

LITERAL = "LiteralPw-777"


class Login(BaseModel):
    user: str
    password: Annotated[str, Property(label="Password", secret=True)]


class Input(BaseModel):
    login: Login
    api_token: SecretStr | None = None
    fail: bool = False


@outbound_connector(name="Literal", type="test:literal-secret:1")
def literal(data: Input) -> dict[str, Any]:
    if data.fail:
        raise ConnectorError("401", f"server said: bad password {data.login.password}")
    return {
        "echo": data.login.password,
        "token": data.api_token.get_secret_value() if data.api_token else None,
    }


def test_secret_paths_come_from_the_field_metadata() -> None:
    assert secret_bindings(Input) == (("api_token",), ("login", "password"))


@pytest.mark.parametrize("fail", [False, True])
async def test_a_literal_password_is_masked_everywhere(
    fail: bool, caplog: pytest.LogCaptureFixture
) -> None:
    history = MemoryHistorySink()
    runtime = ConnectorRuntime({literal.type: literal}, history=history)
    job = Job.create(
        type=literal.type,
        variables={
            "login": {"user": "ann", "password": LITERAL},
            "api_token": "tok-literal-9",
            "fail": fail,
        },
        retries=3,
    )
    try:
        with caplog.at_level(logging.DEBUG):
            result = await runtime.execute(job, source="rest")
    finally:
        runtime.close()
    # The engine gets what the connector produced...
    if fail:
        assert isinstance(result.outcome, Fail)
        assert LITERAL not in result.outcome.message  # messages are masked for Zeebe too
    else:
        assert isinstance(result.outcome, Complete)
        assert result.outcome.variables == {}
    # ...and nothing people read shows the credentials.
    [record] = history.records
    shown = repr(result.masked_outcome) + repr(record.input) + repr(record.output) + caplog.text
    assert LITERAL not in shown and "tok-literal-9" not in shown
    assert record.input["login"] == {"user": "ann", "password": "***"}


async def test_the_mapped_result_is_masked_in_history() -> None:
    history = MemoryHistorySink()
    runtime = ConnectorRuntime({literal.type: literal}, history=history)
    job = Job.create(
        type=literal.type,
        variables={"login": {"user": "ann", "password": LITERAL}},
        custom_headers={"resultVariable": "r"},
    )
    try:
        result = await runtime.execute(job, source="rest")
    finally:
        runtime.close()
    assert result.outcome.variables["r"]["echo"] == LITERAL  # Zeebe gets the real result
    assert result.masked_outcome.variables["r"]["echo"] == "***"
    assert LITERAL not in repr(history.records[0].output)
