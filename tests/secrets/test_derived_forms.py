"""A secret is masked in the forms it takes on its way out, not only as itself.

Regression (issue 15): the HTTP client's own URL encoding of a secret
(``p@ss%20%22w0rd%22\\%20%C3%BC/&=+%``) came back in an error body and was stored unmasked in
the history and in the ``error`` variable sent to Zeebe. Here a loopback service answers 400
quoting the request exactly as it arrived; nothing the runtime shows may carry any form of
the secret: the raw value, the HTTP client's path, query and form encodings, its JSON
escaping, or the Basic authorization header built from it. A connector can also declare a
value it derived from a secret (``connectors.sdk.mask_derived``).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from app.runtime.executor import ConnectorRuntime
from app.runtime.history import MemoryHistorySink
from app.runtime.model import ExecutionResult, Fail, Job
from app.runtime.outcome_json import outcome_to_json
from app.runtime.payload import dumps
from app.runtime.secrets_hook import StaticSecretResolver
from connectors._http import aclose
from connectors.http_json import TYPE as REST_TYPE
from connectors.http_json import http_json
from connectors.sdk import ConnectorError, OutboundContext, mask_derived, outbound_connector
from tests.conformance.http_server import HttpServer

PASSWORD = 'p@ss "w0rd"\\ ü/&=+%'
# In a URL, "%" that starts no escape makes it invalid (an input error, as in Camunda's
# client) and "&" and "=" split the query into parameters: the URL carries the password
# without those three characters (the body, parameters and headers carry all of it).
URL_PASSWORD = 'p@ss "w0rd"\\ ü/+'

SECRETS = {"PW": PASSWORD, "PWU": URL_PASSWORD, "KEY": "k3y-for-signing-1234"}


class SignInput(BaseModel):
    payload: str
    key: str


@outbound_connector(name="Sign", type="test:sign:1")
async def sign(data: SignInput, context: OutboundContext) -> dict[str, Any]:
    signature = hmac.new(data.key.encode(), data.payload.encode(), hashlib.sha256).hexdigest()
    context.mask_derived(signature)  # derived from a secret: mask it like one
    raise ConnectorError("REJECTED", f"service rejected signature {signature}")


@outbound_connector(name="Sign deep", type="test:sign-deep:1")
async def sign_deep(data: SignInput) -> dict[str, Any]:
    # library code without the context reports through the module function
    token = base64.b64encode(f"{data.payload}:{data.key}".encode()).decode()
    mask_derived(token)
    raise ConnectorError("REJECTED", f"token {token} refused")


@outbound_connector(name="Sign sync", type="test:sign-sync:1")
def sign_sync(data: SignInput) -> dict[str, Any]:
    # a sync connector runs in the runtime's thread pool: the declaration still counts
    token = base64.b64encode(f"{data.payload}:{data.key}".encode()).decode()
    mask_derived(token)
    raise ConnectorError("REJECTED", f"token {token} refused")


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    server = HttpServer().start()
    yield server
    server.stop()


@pytest.fixture
async def runtime() -> AsyncIterator[tuple[ConnectorRuntime, MemoryHistorySink]]:
    history = MemoryHistorySink()
    rt = ConnectorRuntime(
        {
            REST_TYPE: http_json,
            sign.type: sign,
            sign_deep.type: sign_deep,
            sign_sync.type: sign_sync,
        },
        secrets=StaticSecretResolver(SECRETS),
        history=history,
    )
    yield rt, history
    rt.close()
    await aclose()


def shown(result: ExecutionResult) -> str:
    """Everything a person or Zeebe's error variable gets to see of one execution."""
    record = dataclasses.asdict(result.record)
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    return "\n".join(
        [
            dumps(record),
            dumps(outcome_to_json(result.masked_outcome)),
            outcome.message,
            dumps(outcome.variables),  # the error variable goes to Zeebe as it is
        ]
    )


async def _call(rt: ConnectorRuntime, variables: dict[str, Any]) -> ExecutionResult:
    return await rt.execute(Job.create(REST_TYPE, variables, retries=3), source="rest")


async def test_url_and_form_encodings_of_a_secret_are_masked(
    runtime: tuple[ConnectorRuntime, MemoryHistorySink], server: HttpServer
) -> None:
    rt, _ = runtime
    result = await _call(
        rt,
        {
            "method": "POST",
            "url": server.url("/reflect/{{secrets.PWU}}?raw={{secrets.PWU}}"),
            "queryParameters": {"param": "{{secrets.PW}}"},
            "headers": {
                "X-Key": "{{secrets.PW}}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            "body": {"password": "{{secrets.PW}}"},
        },
    )
    outcome = result.outcome
    assert isinstance(outcome, Fail), outcome
    assert outcome.variables["error"].get("code") == "400", outcome.message
    reflected = outcome.variables["error"]["variables"]["response"]["body"]
    # the service saw the secret in the client's encodings (masked here, hence ***)...
    assert reflected["target"].startswith("/reflect/***?raw=***")
    assert "param=***" in reflected["target"]
    assert reflected["body"] == "password=***"
    assert reflected["headers"]["x-key"] == "***"
    # ...and no form of it is left anywhere
    text = shown(result)
    for form in ("p@ss", "w0rd", "%22w0rd%22", "%C3%BC", "p%40ss"):
        assert form not in text, form


async def test_basic_authorization_header_built_from_a_secret_is_masked(
    runtime: tuple[ConnectorRuntime, MemoryHistorySink], server: HttpServer
) -> None:
    rt, _ = runtime
    result = await _call(
        rt,
        {
            "method": "GET",
            "url": server.url("/reflect/basic"),
            "authentication": {"type": "basic", "username": "alice", "password": "{{secrets.PW}}"},
        },
    )
    outcome = result.outcome
    assert isinstance(outcome, Fail)
    header = outcome.variables["error"]["variables"]["response"]["body"]["headers"]
    encoded = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert header["authorization"] != f"Basic {encoded}"
    assert "***" in header["authorization"]
    text = shown(result)
    # at most the characters that also carry bits of "alice:" or the padding may remain
    assert encoded[8:-3] not in text
    assert PASSWORD not in text


@pytest.mark.parametrize(
    "connector", [sign, sign_deep, sign_sync], ids=["context", "module", "sync"]
)
async def test_values_a_connector_derives_from_secrets_are_masked(
    runtime: tuple[ConnectorRuntime, MemoryHistorySink], connector: Any
) -> None:
    rt, history = runtime
    variables = {"payload": "order-7", "key": "{{secrets.KEY}}"}
    result = await rt.execute(Job.create(connector.type, variables, retries=3), source="rest")
    outcome = result.outcome
    assert isinstance(outcome, Fail) and outcome.retries == 2
    signature = hmac.new(SECRETS["KEY"].encode(), b"order-7", hashlib.sha256).hexdigest()
    token = base64.b64encode(f"order-7:{SECRETS['KEY']}".encode()).decode()
    text = shown(result)
    assert signature not in text and token not in text
    assert outcome.message in ("service rejected signature ***", "token *** refused")
    assert history.records[-1].outcome.message == outcome.message
