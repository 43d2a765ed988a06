"""The webhook connector point by point, over real HTTP (uvicorn on loopback) and real gRPC
(the test gateway), with BPMN shaped by Camunda's official webhook templates.

Facts, from camunda/connectors:
- connectors/webhook/src/main/java/io/camunda/connector/inbound/HttpWebhookExecutable.java
  (method filter 405 "Method X not supported", verification first, response expression per
  element, responseBodyExpression refused at activation);
- .../inbound/signature/HMACVerifier.java, HMACSignatureValidator.java (hex, tagged hex or
  base64 digest; empty header 401; missing header an internal error);
- .../inbound/authorization/BasicAuthHandler.java, ApiKeyAuthHandler.java, JWTAuthHandler.java,
  AuthorizationResult.java (401 invalid credentials, 403 missing permissions);
- connector-runtime-spring .../inbound/webhook/InboundWebhookRestController.java (404 unknown
  path; 4xx bodies {"reason": ...}; gRPC status -> HTTP status; 422 for invalid input and an
  unmet activation condition; 200 when consumed);
- connector-runtime-core .../inbound/correlation/InboundCorrelationHandler.java (ALREADY_EXISTS
  on publish = already correlated, a success).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
from sqlalchemy import select

from app.db.models import ExecutionRow
from tests.inbound.conftest import Served, clean_inbound, serve_app
from tests.support.gateway import TestGateway
from tests.support.jwks import JwksServer
from tests.support.modeler import apply_inbound_template
from tests.support.waiting import eventually
from tests.templates.official import official_template

START = "io.camunda.connectors.webhook.WebhookConnector.v1"
MESSAGE_START = "io.camunda.connectors.webhook.WebhookConnectorStartMessage.v1"
INTERMEDIATE = "io.camunda.connectors.webhook.WebhookConnectorIntermediate.v1"
BOUNDARY = "io.camunda.connectors.webhook.WebhookConnectorBoundary.v1"
RECEIVE = "io.camunda.connectors.webhook.WebhookConnectorReceive.v1"
HMAC_KEY = "hm4c-s3cret-value-for-tests"
MAX_BODY = 64 * 1024


@pytest.fixture(scope="module")
async def jwks() -> AsyncIterator[JwksServer]:
    server = JwksServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def hooks(inbound_db: str) -> AsyncIterator[Served]:
    os.environ["SECRET_HMAC_KEY"] = HMAC_KEY
    os.environ["SECRET_WEBHOOK_PASSWORD"] = "pa55-w0rd-secret"
    await clean_inbound(inbound_db)
    async with TestGateway() as gateway:
        async with serve_app(inbound_db, gateway, inbound_max_body_bytes=MAX_BODY) as served:
            yield served
    os.environ.pop("SECRET_HMAC_KEY", None)
    os.environ.pop("SECRET_WEBHOOK_PASSWORD", None)


_counter = iter(range(1, 10_000))


async def deploy(served: Served, template: str, values: dict[str, Any]) -> dict[str, Any]:
    """Deploy a process with one element of ``template``; returns its deployed process."""
    number = next(_counter)
    process_id = f"p{number}"
    applied = apply_inbound_template(official_template(template), values)
    response = await served.deploy((f"{process_id}.bpmn", applied.bpmn(process_id)))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    [process] = answer["processes"]
    process["inboundElements"] = answer["inboundElements"]
    process["messageName"] = applied.message_name
    return process


def instances_of(gateway: TestGateway, process: dict[str, Any]) -> list[Any]:
    return [
        i for i in gateway.instances.values() if i.definition.key == process["processDefinitionKey"]
    ]


async def rows_for(served: Served, context: str, count: int = 1) -> list[ExecutionRow]:
    async def found() -> list[ExecutionRow] | None:
        async with served.app.services.sessions() as session:
            rows = (
                await session.scalars(
                    select(ExecutionRow)
                    .where(ExecutionRow.inbound_context == context)
                    .order_by(ExecutionRow.started_at)
                )
            ).all()
        return list(rows) if len(rows) >= count else None

    result: list[ExecutionRow] = await eventually(found, what=f"{count} rows for {context}")
    return result


# -- paths and methods --------------------------------------------------------------------


async def test_an_unknown_path_is_404_and_recorded(hooks: Served) -> None:
    response = await hooks.http.post("/inbound/nobody-here", json={"a": 1})
    assert response.status_code == 404
    [row] = await rows_for(hooks, "nobody-here")
    assert (row.direction, row.command, row.http_status) == ("inbound", "rejected", 404)


async def test_the_method_filter_answers_405(hooks: Served) -> None:
    process = await deploy(hooks, START, {"inbound.context": "only-post", "inbound.method": "post"})
    response = await hooks.http.get("/inbound/only-post")
    assert response.status_code == 405
    assert response.json() == {"reason": "Method GET not supported"}
    assert instances_of(hooks.gateway, process) == []
    assert (await hooks.http.post("/inbound/only-post", json={})).status_code == 200
    assert len(instances_of(hooks.gateway, process)) == 1


async def test_patch_is_not_a_webhook_method(hooks: Served) -> None:
    await deploy(hooks, START, {"inbound.context": "any-method"})
    # InboundWebhookRestController maps GET, HEAD, POST, PUT and DELETE only.
    assert (await hooks.http.patch("/inbound/any-method", json={})).status_code == 405
    for method in ("GET", "HEAD", "POST", "PUT", "DELETE"):
        assert (await hooks.http.request(method, "/inbound/any-method")).status_code == 200


# -- HMAC ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [("sha_1", hashlib.sha1), ("sha_256", hashlib.sha256), ("sha_512", hashlib.sha512)],
)
async def test_hmac_over_the_raw_bytes_for_each_algorithm(
    hooks: Served, algorithm: str, digest: Any
) -> None:
    context = f"hmac-{algorithm.replace('_', '')}"
    process = await deploy(
        hooks,
        START,
        {
            "inbound.context": context,
            "inbound.shouldValidateHmac": "enabled",
            "inbound.hmacSecret": "{{secrets.HMAC_KEY}}",
            "inbound.hmacHeader": "X-Signature",
            "inbound.hmacAlgorithm": algorithm,
            "resultExpression": "={value: request.body.value}",
        },
    )
    # Odd spacing: a signature over re-serialised JSON would not match.
    raw = b'{ "value" :  1,"x":[ 1 ,2 ] }'
    mac = hmac.new(HMAC_KEY.encode(), raw, digest)
    headers = {"content-type": "application/json"}
    for signature in (
        mac.hexdigest(),
        f"sha={mac.hexdigest()}",
        base64.b64encode(mac.digest()).decode(),
    ):
        ok = await hooks.http.post(
            f"/inbound/{context}", content=raw, headers={**headers, "X-Signature": signature}
        )
        assert ok.status_code == 200, (signature, ok.text)
    wrong = await hooks.http.post(
        f"/inbound/{context}",
        content=raw + b" ",
        headers={**headers, "X-Signature": mac.hexdigest()},
    )
    assert wrong.status_code == 401
    assert wrong.json() == {"reason": "HMAC signature check didn't pass"}
    empty = await hooks.http.post(
        f"/inbound/{context}", content=raw, headers={**headers, "X-Signature": ""}
    )
    assert empty.status_code == 401
    # A missing header is not a signature failure in Camunda but an exception: 500.
    missing = await hooks.http.post(f"/inbound/{context}", content=raw, headers=headers)
    assert missing.status_code == 500
    assert [i.variables for i in instances_of(hooks.gateway, process)] == [{"value": 1}] * 3


async def test_hmac_secret_is_masked_everywhere(hooks: Served) -> None:
    context = "hmac-masked"
    await deploy(
        hooks,
        START,
        {
            "inbound.context": context,
            "inbound.shouldValidateHmac": "enabled",
            "inbound.hmacSecret": "{{secrets.HMAC_KEY}}",
            "inbound.hmacHeader": "X-Signature",
            "resultExpression": "={echo: request.body}",
        },
    )
    raw = json.dumps({"leak": HMAC_KEY}).encode()
    signature = hmac.new(HMAC_KEY.encode(), raw, hashlib.sha256).hexdigest()
    response = await hooks.http.post(
        f"/inbound/{context}", content=raw, headers={"X-Signature": signature}
    )
    assert response.status_code == 200
    [row] = await rows_for(hooks, context)
    assert HMAC_KEY not in json.dumps([row.input, row.output, row.error_message])
    assert "***" in json.dumps(row.input)
    listing = await hooks.inbound()
    assert HMAC_KEY not in json.dumps(listing)
    detail = await hooks.http.get(
        f"/api/v1/executions/{row.id}", headers={"Authorization": f"Bearer {_admin()}"}
    )
    assert detail.status_code == 200 and HMAC_KEY not in detail.text


async def test_hmac_over_url_and_parameters(hooks: Served) -> None:
    context = "hmac-url"
    await deploy(
        hooks,
        START,
        {
            "inbound.context": context,
            "inbound.shouldValidateHmac": "enabled",
            "inbound.hmacSecret": "k",
            "inbound.hmacHeader": "X-Twilio-Signature",
            "inbound.hmacAlgorithm": "sha_1",
            "inbound.hmacScopes": '=["URL", "PARAMETERS"]',
        },
    )
    url = f"{hooks.url}/inbound/{context}"
    signed = f"{url}?a=1&b=two".encode()
    signature = base64.b64encode(hmac.new(b"k", signed, hashlib.sha1).digest()).decode()
    response = await hooks.http.get(
        f"/inbound/{context}",
        params={"b": "two", "a": "1"},
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200, response.text


# -- authorization ------------------------------------------------------------------------


async def test_basic_auth(hooks: Served) -> None:
    process = await deploy(
        hooks,
        START,
        {
            "inbound.context": "basic",
            "inbound.auth.type": "BASIC",
            "inbound.auth.username": "user",
            "inbound.auth.password": "{{secrets.WEBHOOK_PASSWORD}}",
        },
    )
    good = httpx.BasicAuth("user", "pa55-w0rd-secret")
    assert (await hooks.http.post("/inbound/basic", json={}, auth=good)).status_code == 200
    bad = await hooks.http.post("/inbound/basic", json={}, auth=httpx.BasicAuth("user", "no"))
    assert (bad.status_code, bad.json()) == (401, {"reason": "Basic auth header is invalid"})
    missing = await hooks.http.post("/inbound/basic", json={})
    assert (missing.status_code, missing.json()) == (
        401,
        {"reason": "Basic auth header is missing"},
    )
    assert len(instances_of(hooks.gateway, process)) == 1


async def test_header_only_auth_is_decided_before_the_body_is_read(hooks: Served) -> None:
    await deploy(
        hooks,
        START,
        {
            "inbound.context": "early",
            "inbound.auth.type": "BASIC",
            "inbound.auth.username": "u",
            "inbound.auth.password": "p",
        },
    )
    host, port = hooks.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    # Announce a large body, send none of it: the answer must come anyway.
    writer.write(
        b"POST /inbound/early HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 50000\r\n\r\n"
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 401")


async def test_api_key_with_the_default_locator(hooks: Served) -> None:
    process = await deploy(
        hooks,
        START,
        {"inbound.context": "apikey", "inbound.auth.type": "APIKEY", "inbound.auth.apiKey": "k-1"},
    )
    ok = await hooks.http.post("/inbound/apikey", json={}, headers={"Authorization": "Bearer k-1"})
    assert ok.status_code == 200
    wrong = await hooks.http.post("/inbound/apikey", json={}, headers={"Authorization": "Bearer x"})
    assert (wrong.status_code, wrong.json()) == (401, {"reason": "API key is invalid"})
    missing = await hooks.http.post("/inbound/apikey", json={})
    assert (missing.status_code, missing.json()) == (401, {"reason": "API key is missing"})
    assert len(instances_of(hooks.gateway, process)) == 1


async def test_api_key_located_in_the_body(hooks: Served) -> None:
    await deploy(
        hooks,
        START,
        {
            "inbound.context": "apikey-body",
            "inbound.auth.type": "APIKEY",
            "inbound.auth.apiKey": "k-2",
            "inbound.auth.apiKeyLocator": "=request.body.secret",
        },
    )
    assert (
        await hooks.http.post("/inbound/apikey-body", json={"secret": "k-2"})
    ).status_code == 200
    assert (await hooks.http.post("/inbound/apikey-body", json={"secret": "k"})).status_code == 401


async def test_jwt_against_a_jwks_on_loopback(hooks: Served, jwks: JwksServer) -> None:
    process = await deploy(
        hooks,
        START,
        {
            "inbound.context": "jwt",
            "inbound.auth.type": "JWT",
            "inbound.auth.jwt.jwkUrl": jwks.url,
            "inbound.auth.jwt.permissionsExpression": '=if admin = true then ["admin"] else roles',
            "inbound.auth.jwt.requiredPermissions": '=["write"]',
        },
    )

    async def call(token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return await hooks.http.post("/inbound/jwt", json={}, headers=headers)

    assert (await call(jwks.token({"roles": ["read", "write"]}))).status_code == 200
    assert (await call(jwks.token({"roles": ["write"]}, kid="ec-1"))).status_code == 200
    forbidden = await call(jwks.token({"roles": ["read"]}))
    assert (forbidden.status_code, forbidden.json()) == (
        403,
        {"reason": "Missing required permissions"},
    )
    assert (await call(jwks.token({"admin": True, "roles": ["write"]}))).status_code == 403
    assert (await call(jwks.token({"roles": ["write"]}, expires_in=-60))).status_code == 401
    forged = jwks.token({"roles": ["write"]})[:-4] + "AAAA"
    assert (await call(forged)).status_code == 401
    assert (await call("not-a-jwt")).status_code == 401
    # Camunda's handler throws when there is no Authorization header at all: 500.
    assert (await call(None)).status_code == 500
    assert len(instances_of(hooks.gateway, process)) == 2


# -- verification, activation, responses ---------------------------------------------------


async def test_a_verification_expression_answers_without_correlating(hooks: Served) -> None:
    process = await deploy(
        hooks,
        START,
        {
            "inbound.context": "slack",
            "inbound.verificationExpression": '=if request.body.type = "url_verification" then '
            '{"body": {"challenge": request.body.challenge}, "statusCode": 200} else null',
        },
    )
    challenge = await hooks.http.post(
        "/inbound/slack", json={"type": "url_verification", "challenge": "c-123"}
    )
    assert (challenge.status_code, challenge.json()) == (200, {"challenge": "c-123"})
    assert instances_of(hooks.gateway, process) == []
    assert (await hooks.http.post("/inbound/slack", json={"type": "event"})).status_code == 200
    assert len(instances_of(hooks.gateway, process)) == 1
    rows = await rows_for(hooks, "slack", 2)
    assert [r.command for r in rows] == ["verified", "correlated"]


@pytest.mark.parametrize(("consume", "status"), [(False, 422), (True, 200)])
async def test_activation_condition_not_met(hooks: Served, consume: bool, status: int) -> None:
    context = f"cond-{str(consume).lower()}"
    process = await deploy(
        hooks,
        START,
        {
            "inbound.context": context,
            "activationCondition": '=request.body.status = "OK"',
            "consumeUnmatchedEvents": consume,
        },
    )
    response = await hooks.http.post(f"/inbound/{context}", json={"status": "NO"})
    assert response.status_code == status
    assert instances_of(hooks.gateway, process) == []
    assert (await hooks.http.post(f"/inbound/{context}", json={"status": "OK"})).status_code == 200
    assert len(instances_of(hooks.gateway, process)) == 1
    rows = await rows_for(hooks, context, 2)
    assert [(r.command, r.http_status) for r in rows] == [
        ("unmatched", status),
        ("correlated", 200),
    ]


async def test_result_variable_blank_is_absent_and_set_gets_the_request(hooks: Served) -> None:
    blank = await deploy(hooks, START, {"inbound.context": "rv-blank", "resultExpression": ""})
    named = await deploy(
        hooks,
        START,
        {"inbound.context": "rv-named", "resultVariable": "req", "resultExpression": ""},
    )
    await hooks.http.post("/inbound/rv-blank?x=1", json={"a": 1})
    await hooks.http.post("/inbound/rv-named?x=1", json={"a": 1}, headers={"X-Trace": "t"})
    [first] = instances_of(hooks.gateway, blank)
    assert first.variables == {}
    [second] = instances_of(hooks.gateway, named)
    request = second.variables["req"]["request"]
    assert request["body"] == {"a": 1}
    assert request["params"] == {"x": "1"}
    assert request["headers"]["x-trace"] == "t"
    assert second.variables["req"]["connectorData"] == {}


async def test_the_response_expression_sees_the_correlation(hooks: Served) -> None:
    await deploy(
        hooks,
        START,
        {
            "inbound.context": "answer",
            "inbound.responseExpression": '={"body": {"instance": correlation.processInstanceKey,'
            ' "got": request.body.n}, "statusCode": 201, "headers": {"X-Done": "yes"}}',
        },
    )
    response = await hooks.http.post("/inbound/answer", json={"n": 5})
    assert response.status_code == 201
    assert response.headers["x-done"] == "yes"
    body = response.json()
    assert body["got"] == 5
    assert body["instance"] in hooks.gateway.instances


async def test_a_string_response_body_is_html_escaped(hooks: Served) -> None:
    await deploy(
        hooks,
        START,
        {"inbound.context": "escaped", "inbound.responseExpression": '={"body": "<b>hi</b>"}'},
    )
    response = await hooks.http.post("/inbound/escaped", json={})
    assert (response.status_code, response.text) == (200, "&lt;b&gt;hi&lt;/b&gt;")


async def test_a_synchronous_start_event_answers_with_the_result(hooks: Served) -> None:
    await deploy(
        hooks,
        START,
        {
            "inbound.context": "sync",
            "synchronousResponse": "true",
            "resultExpression": "={n: request.body.n}",
            "inbound.responseExpression": '={"body": correlation.variables}',
        },
    )
    response = await hooks.http.post("/inbound/sync", json={"n": 3})
    assert (response.status_code, response.json()) == (200, {"n": 3})
    [call] = hooks.gateway.calls_to("CreateProcessInstanceWithResult")
    assert call.code == grpc.StatusCode.OK


# -- message elements ---------------------------------------------------------------------


async def test_message_id_deduplication(hooks: Served) -> None:
    process = await deploy(
        hooks,
        INTERMEDIATE,
        {
            "inbound.context": "dedup",
            "correlationKeyProcess": "=orderId",
            "correlationKeyPayload": "=request.body.order",
            "messageIdExpression": "=request.body.event",
        },
    )
    before = len(hooks.gateway.calls_to("PublishMessage"))
    first = await hooks.http.post("/inbound/dedup", json={"order": "o-1", "event": "e-1"})
    again = await hooks.http.post("/inbound/dedup", json={"order": "o-1", "event": "e-1"})
    other = await hooks.http.post("/inbound/dedup", json={"order": "o-1", "event": "e-2"})
    assert [r.status_code for r in (first, again, other)] == [200, 200, 200]
    calls = hooks.gateway.calls_to("PublishMessage")[before:]
    assert [c.code for c in calls] == [
        grpc.StatusCode.OK,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.OK,
    ]
    rows = await rows_for(hooks, "dedup", 3)
    assert [r.command for r in rows] == ["correlated", "duplicate", "correlated"]
    assert process["messageName"]


async def test_a_missing_correlation_key_is_invalid_input(hooks: Served) -> None:
    await deploy(
        hooks,
        INTERMEDIATE,
        {
            "inbound.context": "nokey",
            "correlationKeyProcess": "=orderId",
            "correlationKeyPayload": "=request.body.order",
        },
    )
    response = await hooks.http.post("/inbound/nokey", json={})
    assert response.status_code == 422
    assert response.json() == {
        "message": "Wasn't able to obtain correlation key for expression =request.body.order"
    }


@pytest.mark.parametrize("template", [RECEIVE, BOUNDARY])
async def test_receive_tasks_and_boundary_events_correlate(hooks: Served, template: str) -> None:
    context = "receive" if template == RECEIVE else "boundary"
    process = await deploy(
        hooks,
        template,
        {
            "inbound.context": context,
            "correlationKeyProcess": "=orderId",
            "correlationKeyPayload": "=request.body.order",
            "resultExpression": "={note: request.body.note}",
        },
    )
    zeebe = hooks.app.services.engine("zeebe")
    from app.runtime.engine import InstanceToCreate

    created = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(
            process_definition_key=process["processDefinitionKey"], variables={"orderId": "r-1"}
        )
    )
    response = await hooks.http.post(f"/inbound/{context}", json={"order": "r-1", "note": "n"})
    assert response.status_code == 200
    instance = hooks.gateway.instances[created.process_instance_key]
    assert instance.state == "completed"
    assert instance.variables == {"orderId": "r-1", "note": "n"}
    if template == BOUNDARY:
        assert instance.visited[-1] == "escalated"


async def test_a_message_start_event_publishes_a_message(hooks: Served) -> None:
    process = await deploy(hooks, MESSAGE_START, {"inbound.context": "msgstart"})
    response = await hooks.http.post("/inbound/msgstart", json={"a": 1})
    assert response.status_code == 200
    [instance] = instances_of(hooks.gateway, process)
    assert instance.variables == {"myRequestBody": {"a": 1}}


# -- engine answers, body handling -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.FAILED_PRECONDITION, 412),
        (grpc.StatusCode.PERMISSION_DENIED, 403),
    ],
)
async def test_engine_refusals_map_to_http_as_camunda_maps_them(
    hooks: Served, code: grpc.StatusCode, status: int
) -> None:
    context = f"engine-{code.name.lower().replace('_', '-')}"
    process = await deploy(hooks, START, {"inbound.context": context})
    hooks.gateway.inject("CreateProcessInstance", code)
    response = await hooks.http.post(f"/inbound/{context}", json={})
    assert response.status_code == status
    assert response.json()["status"] == code.name
    assert instances_of(hooks.gateway, process) == []
    [row] = await rows_for(hooks, context)
    assert (row.command, row.http_status, row.error_code) == ("failed", status, code.name)


async def test_bodies_are_parsed_by_content_type(hooks: Served) -> None:
    process = await deploy(
        hooks, START, {"inbound.context": "bodies", "resultExpression": "={b: request.body}"}
    )
    await hooks.http.post(
        "/inbound/bodies",
        content=b"a=1&b=x%20y",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    await hooks.http.post(
        "/inbound/bodies", content=b"plain words", headers={"content-type": "text/plain"}
    )
    await hooks.http.post(
        "/inbound/bodies", content=b"<a>1</a>", headers={"content-type": "application/xml"}
    )
    await hooks.http.post("/inbound/bodies", content=b"")
    bad = await hooks.http.post(
        "/inbound/bodies", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    assert [i.variables["b"] for i in instances_of(hooks.gateway, process)] == [
        {"a": "1", "b": "x y"},
        "plain words",
        "<a>1</a>",
        {},
    ]


async def test_a_body_over_the_limit_is_413_without_reading_it(hooks: Served) -> None:
    process = await deploy(hooks, START, {"inbound.context": "big"})
    declared = await hooks.http.post("/inbound/big", content=b"x" * (MAX_BODY + 1))
    assert declared.status_code == 413

    # Chunked, no length announced: refused once the bytes received pass the limit, while
    # the client still has more to send (it never sends the terminating chunk).
    host, port = hooks.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /inbound/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"y" * (MAX_BODY // 2)
    for _ in range(3):
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 413")
    assert instances_of(hooks.gateway, process) == []


# -- registration ---------------------------------------------------------------------------


async def test_a_second_element_on_a_taken_path_waits_in_standby(hooks: Served) -> None:
    first = await deploy(hooks, START, {"inbound.context": "shared"})
    second = await deploy(hooks, START, {"inbound.context": "shared"})
    [element] = second["inboundElements"]
    assert element["state"] == "standby"
    assert (
        element["error"]
        == f"Context: shared already in use by: process {first['bpmnProcessId']}(inbound)"
    )
    assert (await hooks.http.post("/inbound/shared", json={})).status_code == 200
    assert len(instances_of(hooks.gateway, first)) == 1
    assert instances_of(hooks.gateway, second) == []


async def test_response_body_expression_is_refused_as_camunda_refuses_it(hooks: Served) -> None:
    process = await deploy(
        hooks,
        START,
        {"inbound.context": "legacy"},
    )
    # An element written by an older template with the deprecated property.
    applied = apply_inbound_template(official_template(START), {"inbound.context": "legacy2"})
    applied.properties["inbound.responseBodyExpression"] = "={ok: true}"
    response = await hooks.deploy(("legacy.bpmn", applied.bpmn("legacy")))
    [element] = response.json()["inboundElements"]
    assert element["state"] == "failed"
    assert "'responseBodyExpression' is deprecated and no longer supported" in element["error"]
    assert (await hooks.http.post("/inbound/legacy2", json={})).status_code == 404
    assert process["inboundElements"][0]["state"] == "active"


async def test_only_the_latest_version_s_start_event_is_served(hooks: Served) -> None:
    v1 = await deploy(hooks, START, {"inbound.context": "versions"})
    applied = apply_inbound_template(official_template(START), {"inbound.context": "versions"})
    response = await hooks.deploy(("again.bpmn", applied.bpmn(v1["bpmnProcessId"])))
    [v2] = response.json()["processes"]
    assert v2["version"] == 2
    assert (await hooks.http.post("/inbound/versions", json={})).status_code == 200
    [call] = [
        c
        for c in hooks.gateway.calls_to("CreateProcessInstance")
        if c.request.bpmnProcessId == v1["bpmnProcessId"]
    ]
    assert call.request.version == 2
    listed = [e for e in await hooks.inbound() if e["bpmnProcessId"] == v1["bpmnProcessId"]]
    assert [e["version"] for e in listed] == [2]


async def test_older_versions_keep_their_message_elements(hooks: Served) -> None:
    values = {
        "inbound.context": "old-catch",
        "correlationKeyProcess": "=orderId",
        "correlationKeyPayload": "=request.body.order",
    }
    v1 = await deploy(hooks, INTERMEDIATE, values)
    zeebe = hooks.app.services.engine("zeebe")
    from app.runtime.engine import InstanceToCreate

    waiting = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(
            process_definition_key=v1["processDefinitionKey"], variables={"orderId": "v1"}
        )
    )
    applied = apply_inbound_template(
        official_template(INTERMEDIATE), {**values, "messageNameUuid": v1["messageName"]}
    )
    response = await hooks.deploy(("v2.bpmn", applied.bpmn(v1["bpmnProcessId"])))
    assert response.status_code == 200
    listed = [e for e in await hooks.inbound() if e["bpmnProcessId"] == v1["bpmnProcessId"]]
    assert sorted(e["version"] for e in listed) == [1, 2]
    assert len({e["executableId"] for e in listed}) == 1  # deduplicated into one webhook
    assert (await hooks.http.post("/inbound/old-catch", json={"order": "v1"})).status_code == 200
    assert hooks.gateway.instances[waiting.process_instance_key].state == "completed"


async def test_the_listing_shows_health_and_last_activity(hooks: Served) -> None:
    await deploy(hooks, START, {"inbound.context": "listed"})
    await hooks.http.post("/inbound/listed", json={})
    await rows_for(hooks, "listed")
    [element] = [e for e in await hooks.inbound() if e["webhookPath"] == "/inbound/listed"]
    assert element["state"] == "active"
    assert element["health"] == {"status": "UP"}
    assert element["lastActivity"] is not None
    assert any(a["tag"] == "Correlation" for a in element["activity"])
    viewer = await hooks.http.get("/api/v1/inbound")
    assert viewer.status_code == 401


def _admin() -> str:
    from tests.api.harness import ADMIN_KEY

    return ADMIN_KEY
