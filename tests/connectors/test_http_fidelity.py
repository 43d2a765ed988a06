"""The REST and GraphQL connectors behave as Camunda's HTTP client does (issue 14, points 1-4
and the HTTP parts of 10), each case against a loopback server and citing its source in
camunda/connectors (read, not copied)."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import ssl
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
import trustme

from app.runtime.executor import ConnectorRuntime
from app.runtime.model import Complete, Fail, Job
from connectors.graphql import graphql
from connectors.http_json import TYPE as REST_TYPE
from connectors.http_json import http_json
from connectors.sdk import ConnectorError
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer, Reply, Seen

HTTP_BASE = "connectors/http/http-base/src/main/java/io/camunda/connector/http/base"
CLIENT = "connector-commons/http-client/src/main/java/io/camunda/connector/http/client"


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


def answer(server: LoopbackServer, body: bytes, status: int = 200, **kw: Any) -> str:
    path = unique("f")
    server.routes[path] = lambda seen: Reply(status=status, body=body, **kw)
    return path


async def run(variables: dict[str, Any]) -> Any:
    return await arun_connector(http_json, variables)


# --- 1. response bodies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (b"123", "123"),
        (b'"x"', '"x"'),
        (b"true", "true"),
        (b'{"v": NaN}', '{"v": NaN}'),
        (b"[1, Infinity]", "[1, Infinity]"),
        (b'  {"a": 1} trailing', {"a": 1}),
        (b"[1, 2]", [1, 2]),
        (b"   ", None),
    ],
)
async def test_without_a_return_format_only_objects_and_arrays_are_json(
    server: LoopbackServer, raw: bytes, body: Any
) -> None:
    """HTTP_BASE/HttpCommonResultMapper.java deserializeBody + CLIENT/utils/JsonHelper.java
    isJsonStringValid (object or array; Jackson refuses NaN and ignores trailing text)."""
    path = answer(server, raw, headers=[("Content-Type", "application/json")])
    assert (await run({"method": "GET", "url": server.url(path)}))["body"] == body


async def test_a_nan_body_completes_the_job_with_the_text(server: LoopbackServer) -> None:
    path = answer(server, b'{"v": NaN}', headers=[("Content-Type", "application/json")])
    runtime = ConnectorRuntime({REST_TYPE: http_json})
    try:
        result = await runtime.execute(
            Job.create(
                type=REST_TYPE,
                variables={"method": "GET", "url": server.url(path)},
                custom_headers={"resultVariable": "r"},
            )
        )
    finally:
        runtime.close()
    assert isinstance(result.outcome, Complete)
    assert result.outcome.variables["r"]["body"] == '{"v": NaN}'
    json.dumps(result.outcome.variables, allow_nan=False)  # valid JSON for Zeebe


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (b'{"e": 1}', {"e": 1}),
        (b"[1, 2]", None),
        (b'[{"e": 1}]', {"e": 1}),
        (b"", ""),
        (b"oops", "oops"),
    ],
)
async def test_error_bodies_are_read_as_a_map(
    server: LoopbackServer, raw: bytes, body: Any
) -> None:
    """CLIENT/exception/ConnectorExceptionMapper.java: readValue(body, Map.class) with
    UNWRAP_SINGLE_VALUE_ARRAYS (HttpClientObjectMapperSupplier.java); other text as is."""
    path = answer(server, raw, status=422)
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(path)})
    assert info.value.code == "422"
    assert info.value.variables["response"]["body"] == body


@pytest.mark.parametrize("raw", [b"", b"not json", b'{"v": NaN}'])
async def test_json_return_format_fails_on_empty_or_invalid_bodies(
    server: LoopbackServer, raw: bytes
) -> None:
    """connector-runtime/connector-runtime-core/.../document/DocumentReturnProcessor.java
    parseJson: an ordinary failure (no code) with its message."""
    path = answer(server, raw)
    with pytest.raises(ConnectorError) as info:
        await run(
            {"method": "GET", "url": server.url(path), "documentReturnFormat": {"choice": "JSON"}}
        )
    assert info.value.code is None
    assert info.value.message.startswith("JSON response format selected but payload ")


async def test_json_return_format_accepts_scalars(server: LoopbackServer) -> None:
    path = answer(server, b"42")
    result = await run(
        {"method": "GET", "url": server.url(path), "documentReturnFormat": {"choice": "JSON"}}
    )
    assert result["body"] == 42
    assert result["document"] is None


async def test_text_return_format_gives_an_empty_string(server: LoopbackServer) -> None:
    path = answer(server, b"")
    result = await run(
        {"method": "GET", "url": server.url(path), "documentReturnFormat": {"choice": "TEXT"}}
    )
    assert result["body"] == ""


@pytest.mark.parametrize("choice", ["JSON", "TEXT"])
async def test_return_formats_stop_at_camundas_inline_limit(
    server: LoopbackServer, choice: str
) -> None:
    """DocumentReturnProcessor.ensureFitsInVariable with InlineSizeGuard.MAX_INLINE_BYTES
    (1.5 MiB)."""
    path = answer(server, b'"' + b"x" * (3 * 1024 * 1024 // 2) + b'"')
    with pytest.raises(ConnectorError) as info:
        await run(
            {"method": "GET", "url": server.url(path), "documentReturnFormat": {"choice": choice}}
        )
    label = "JSON" if choice == "JSON" else "Text"
    assert info.value.message.startswith(
        f"{label} response payload exceeds the inline variable size limit of 1.5 MiB."
    )


# --- 2. HTTP/1.1 by default ---------------------------------------------------------------


@pytest.fixture(scope="module")
def alpn_server(ca: trustme.CA) -> Iterator[LoopbackServer]:
    """Offers h2 and http/1.1 with ALPN, speaks HTTP/1.1."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    context.set_alpn_protocols(["h2", "http/1.1"])
    srv = LoopbackServer(tls=context).start()
    yield srv
    srv.stop()


async def test_http11_by_default_so_header_names_keep_their_case(
    alpn_server: LoopbackServer, ca_pem: str
) -> None:
    """Camunda's client (Apache HttpClient 5 classic, CLIENT/client/apache/
    CustomApacheHttpClient.java) speaks HTTP/1.1 only; HeadersHelper.flattenHeaders keeps
    the names as sent and turns a repeated header into a list."""
    path = unique("alpn")
    alpn_server.routes[path] = lambda seen: Reply(
        status=201,
        headers=[("Location", "/orders/7"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
    )
    result = await run(
        {
            "method": "POST",
            "url": alpn_server.url(path),
            "clientTls": {"trustedCertificate": ca_pem},
        }
    )
    assert alpn_server.requests_to(path)[-1].alpn in (None, "http/1.1")
    assert result["headers"]["Location"] == "/orders/7"
    assert result["headers"]["Set-Cookie"] == ["a=1", "b=2"]


# --- 3. authentication --------------------------------------------------------------------


@pytest.mark.parametrize("password", [None, "", "SPEC_PASSWORD_EMPTY_PATTERN"])
async def test_basic_auth_without_a_password_sends_an_empty_one(
    server: LoopbackServer, password: str | None
) -> None:
    """CLIENT/authentication/Base64Helper.java buildBasicAuthenticationHeader."""
    path = unique("basic-empty")
    auth: dict[str, Any] = {"type": "basic", "username": "ann"}
    if password is not None:
        auth["password"] = password
    await run({"method": "GET", "url": server.url(path), "authentication": auth})
    expected = "Basic " + base64.b64encode(b"ann:").decode()
    assert server.requests_to(path)[-1].header("Authorization") == expected


def token_route(server: LoopbackServer, reply: Reply) -> tuple[str, list[Seen]]:
    path = unique("token")
    seen: list[Seen] = []

    def route(request: Seen) -> Reply:
        seen.append(request)
        return reply

    server.routes[path] = route
    return path, seen


def oauth(server: LoopbackServer, token_path: str, **extra: Any) -> dict[str, Any]:
    return {
        "method": "GET",
        "url": server.url(unique("resource")),
        "authentication": {
            "type": "oauth-client-credentials-flow",
            "oauthTokenEndpoint": server.url(token_path),
            "clientId": "c",
            "clientSecret": "s",
            "clientAuthentication": "credentialsBody",
            **extra,
        },
    }


async def test_audience_is_always_sent(server: LoopbackServer) -> None:
    """CLIENT/model/auth/OAuthAuthentication.java getDataForAuthRequestBody puts audience
    (null: a bare name, as WWWFormCodec writes a null value)."""
    path, seen = token_route(server, Reply(body={"access_token": "t"}))
    await run(oauth(server, path))
    assert "audience" in seen[-1].body.decode().split("&")
    await run(oauth(server, path, audience="api://x"))
    assert ("audience", "api://x") in parse_qsl(seen[-1].body.decode())


async def test_a_4xx_from_the_token_endpoint_is_an_http_error(server: LoopbackServer) -> None:
    """CLIENT/client/apache/CustomResponseHandler.java: an error status goes through
    ConnectorExceptionMapper before OAuthService looks at the body."""
    body = b'{"error": "invalid_grant", "error_description": "expired"}'
    path, _ = token_route(
        server,
        Reply(status=400, body=body, headers=[("Content-Type", "application/json")]),
    )
    variables = oauth(server, path)
    variables["authentication"] = {
        "type": "oauth-refresh-token",
        "oauthTokenEndpoint": server.url(path),
        "clientId": "c",
        "refreshToken": "r",
    }
    with pytest.raises(ConnectorError) as info:
        await run(variables)
    assert info.value.code == "400"
    assert info.value.message == "Bad Request"
    assert info.value.variables["response"]["body"] == {
        "error": "invalid_grant",
        "error_description": "expired",
    }


async def test_an_expires_in_that_is_not_a_number_is_not_cached(server: LoopbackServer) -> None:
    """CLIENT/authentication/OAuthService.java toTokenResponse: filter(JsonNode::isNumber)."""
    path, seen = token_route(server, Reply(body={"access_token": "t", "expires_in": "3600"}))
    await run(oauth(server, path))
    await run(oauth(server, path))
    assert len(seen) == 2


async def test_a_token_response_that_is_not_json_is_reported_as_camunda_words_it(
    server: LoopbackServer,
) -> None:
    """CLIENT/mapper/ResponseMappers.java asJson."""
    path, _ = token_route(server, Reply(body=b"<html>login</html>"))
    with pytest.raises(ConnectorError) as info:
        await run(oauth(server, path))
    assert info.value.message == "Response body is not valid JSON: <html>login</html>"


# --- 4. form and multipart bodies ---------------------------------------------------------


async def test_form_fields_in_string_value_of_form(server: LoopbackServer) -> None:
    """CLIENT/client/apache/builder/parts/ApacheRequestBodyBuilder.java
    createUrlEncodedFormEntity: String.valueOf per value, null as a bare name."""
    path = unique("form")
    await run(
        {
            "method": "POST",
            "url": server.url(path),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": {"list": ["a", 1, None], "map": {"k": 2.5}, "none": None, "big": 1e7},
        }
    )
    assert server.requests_to(path)[-1].body == (
        b"list=%5Ba%2C+1%2C+null%5D&map=%7Bk%3D2.5%7D&none&big=1.0E7"
    )


async def test_multipart_parts_as_camunda_builds_them(server: LoopbackServer) -> None:
    """CLIENT/client/apache/builder/parts/DocumentAwareMultipartEntityBuilder.java: one
    text part per list item, String.valueOf otherwise, null skipped, LEGACY mode (only a
    Content-Disposition header, text in ISO-8859-1)."""
    path = unique("multipart")
    await run(
        {
            "method": "POST",
            "url": server.url(path),
            "headers": {"Content-Type": "multipart/form-data"},
            "body": {"tag": ["x", "y"], "meta": {"pages": 2}, "skip": None, "name": "Zoë"},
        }
    )
    seen = server.requests_to(path)[-1]
    content_type = seen.header("Content-Type") or ""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + seen.body
    )
    parts = [
        (p.get_param("name", header="content-disposition"), p.get_payload(decode=True))
        for p in message.iter_parts()
    ]
    assert parts == [("tag", b"x"), ("tag", b"y"), ("meta", b"{pages=2}"), ("name", b"Zo\xeb")]
    assert b"Content-Type" not in seen.body


# --- 10. GraphQL methods, redirects, I/O errors --------------------------------------------


@pytest.mark.parametrize(("method", "in_body"), [("PUT", True), ("patch", True), ("DELETE", False)])
async def test_graphql_accepts_every_camunda_method(
    server: LoopbackServer, method: str, in_body: bool
) -> None:
    """HTTP_BASE/model/HttpMethod.java (case-insensitive enum) and connectors/http/graphql/
    .../utils/GraphQLRequestMapper.java: a body when the method supports one."""
    path = unique("gql-method")
    await arun_connector(
        graphql, {"graphql": {"method": method, "url": server.url(path), "query": "{a}"}}
    )
    seen = server.requests_to(path)[-1]
    assert seen.method == method.upper()
    if in_body:
        assert seen.json() == {"query": "{a}"}
    else:
        assert dict(seen.query) == {"query": "{a}"}


def redirect_chain(server: LoopbackServer, hops: int) -> str:
    base = unique("hop")
    for n in range(hops):
        server.routes[f"{base}/{n}"] = lambda seen, n=n: Reply(
            status=302, headers=[("Location", f"{base}/{n + 1}")]
        )
    server.routes[f"{base}/{hops}"] = lambda seen: Reply(body={"arrived": True})
    return f"{base}/0"


async def test_fifty_redirects_are_followed(server: LoopbackServer) -> None:
    """apache/httpcomponents-client RequestConfig (maxRedirects 50, kept by Camunda's
    CLIENT/client/apache/proxy/ProxyAwareHttpClient.java) and RedirectExec."""
    start = redirect_chain(server, 50)
    result = await run({"method": "GET", "url": server.url(start), "followRedirects": True})
    assert result["body"] == {"arrived": True}


async def test_the_51st_redirect_is_camundas_protocol_error(server: LoopbackServer) -> None:
    """RedirectException -> ClientProtocolException -> CustomApacheHttpClient: "500",
    "An error with the HTTP protocol occurred"."""
    start = redirect_chain(server, 51)
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(start), "followRedirects": True})
    assert (info.value.code, info.value.message) == (
        "500",
        "An error with the HTTP protocol occurred",
    )


async def test_a_circular_redirect_is_a_protocol_error(server: LoopbackServer) -> None:
    """RedirectExec: circular redirects are not allowed by default."""
    a, b = unique("loop-a"), unique("loop-b")
    server.routes[a] = lambda seen: Reply(status=302, headers=[("Location", b)])
    server.routes[b] = lambda seen: Reply(status=302, headers=[("Location", a)])
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(a), "followRedirects": True})
    assert info.value.code == "500"
    assert len(server.requests_to(a)) == 2  # a, b, a again: then the loop is seen


async def test_io_errors_carry_camundas_message() -> None:
    """CLIENT/client/apache/CustomApacheHttpClient.java: IOException -> "408"."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": f"http://127.0.0.1:{port}/"})
    assert (info.value.code, info.value.message) == (
        "408",
        "An error occurred while executing the request, or the connection was aborted",
    )


async def test_runtime_fail_for_a_return_format_failure_keeps_retries(
    server: LoopbackServer,
) -> None:
    path = answer(server, b"not json")
    runtime = ConnectorRuntime({REST_TYPE: http_json})
    try:
        result = await runtime.execute(
            Job.create(
                type=REST_TYPE,
                variables={
                    "method": "GET",
                    "url": server.url(path),
                    "documentReturnFormat": {"choice": "JSON"},
                },
                retries=3,
            )
        )
    finally:
        runtime.close()
    assert isinstance(result.outcome, Fail)
    assert result.outcome.retries == 2
