"""The REST connector against a real HTTP server on 127.0.0.1: inputs, bodies, outputs, errors."""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from typing import Any

import pytest

from connectors.http_json import http_json
from connectors.sdk import ConnectorError, ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer, Reply, Seen


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


async def run(variables: dict[str, Any], **kwargs: Any) -> Any:
    return await arun_connector(http_json, variables, **kwargs)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_every_method_reaches_the_server(server: LoopbackServer, method: str) -> None:
    path = unique("method")
    result = await run(
        {"method": method, "url": server.url(path), "body": {"n": 1}, "authentication": {}}
    )
    assert result["status"] == 200
    assert result["body"]["method"] == method
    seen = server.requests_to(path)[-1]
    assert seen.method == method
    if method in ("POST", "PUT", "PATCH"):
        assert seen.json() == {"n": 1}
        assert seen.header("Content-Type") == "application/json"
    else:
        # Like Camunda, GET and DELETE send no body.
        assert seen.body == b""
        assert seen.header("Content-Type") is None


async def test_output_shape_headers_keep_case_and_repeat_as_lists(server: LoopbackServer) -> None:
    path = unique("shape")
    server.routes[path] = lambda seen: Reply(
        status=201,
        body={"id": 7, "tags": ["a"]},
        headers=[
            ("Content-Type", "application/json"),
            ("X-Request-ID", "abc"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
    )
    result = await run({"method": "POST", "url": server.url(path), "body": {}})
    # HttpCommonResult's components (connectors/http/http-base/.../HttpCommonResult.java).
    assert set(result) == {"status", "headers", "body", "reason", "document"}
    assert result["document"] is None
    assert result["status"] == 201
    assert result["reason"] == "Created"
    assert result["body"] == {"id": 7, "tags": ["a"]}
    assert result["headers"]["X-Request-ID"] == "abc"
    assert result["headers"]["Set-Cookie"] == ["a=1", "b=2"]


async def test_cookies_never_leak_between_jobs(server: LoopbackServer) -> None:
    setter, reader = unique("set-cookie"), unique("read-cookie")
    server.routes[setter] = lambda seen: Reply(headers=[("Set-Cookie", "session=job-one")])
    await run({"method": "GET", "url": server.url(setter)})
    await run({"method": "GET", "url": server.url(reader)})
    assert server.requests_to(reader)[-1].header("Cookie") is None


async def test_headers_and_query_parameters(server: LoopbackServer) -> None:
    path = unique("query")
    await run(
        {
            "method": "GET",
            "url": server.url(path) + "?fixed=1",
            "headers": {"X-Custom-Header": "v", "X-Number": 42, "X-Flag": True},
            "queryParameters": {"q": "a b&c", "n": 5, "multi": ["x", "y"]},
        }
    )
    seen = server.requests_to(path)[-1]
    assert seen.query == [
        ("fixed", "1"),
        ("q", "a b&c"),
        ("n", "5"),
        ("multi", "x"),
        ("multi", "y"),
    ]
    assert ("X-Custom-Header", "v") in seen.headers
    assert seen.header("X-Number") == "42"
    assert seen.header("X-Flag") == "true"


async def test_template_strings_are_accepted_for_numbers_and_booleans(
    server: LoopbackServer,
) -> None:
    path = unique("strings")
    result = await run(
        {
            "method": "post",
            "url": server.url(path),
            "connectionTimeoutInSeconds": "20",
            "readTimeoutInSeconds": "",
            "followRedirects": "false",
            "ignoreNullValues": "true",
            "body": {"keep": 1, "drop": None},
        }
    )
    assert result["status"] == 200
    assert server.requests_to(path)[-1].json() == {"keep": 1}


async def test_null_values_are_sent_unless_ignored(server: LoopbackServer) -> None:
    path = unique("nulls")
    body = {"a": None, "nested": {"b": None, "c": 1}, "list": [None, {"d": None}]}
    await run({"method": "PUT", "url": server.url(path), "body": body})
    assert server.requests_to(path)[-1].json() == body
    await run({"method": "PUT", "url": server.url(path), "body": body, "ignoreNullValues": True})
    assert server.requests_to(path)[-1].json() == {"nested": {"c": 1}, "list": [None, {}]}


async def test_form_urlencoded_body(server: LoopbackServer) -> None:
    path = unique("form")
    await run(
        {
            "method": "POST",
            "url": server.url(path),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": {"name": "Zoë & co", "count": 3, "flag": True},
        }
    )
    seen = server.requests_to(path)[-1]
    assert seen.header("Content-Type") == "application/x-www-form-urlencoded"
    assert seen.body == b"name=Zo%C3%AB+%26+co&count=3&flag=true"


async def test_multipart_body(server: LoopbackServer) -> None:
    path = unique("multipart")
    await run(
        {
            "method": "POST",
            "url": server.url(path),
            "headers": {"content-type": "multipart/form-data"},
            "body": {"title": "Report", "meta": {"pages": 2}},
        }
    )
    seen = server.requests_to(path)[-1]
    content_type = seen.header("Content-Type") or ""
    assert content_type.startswith("multipart/form-data; boundary=")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + seen.body
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
    assert parts["title"].get_content() == "Report"
    # Camunda: a map value is one text part in String.valueOf form, no part Content-Type
    # (DocumentAwareMultipartEntityBuilder.java, LEGACY mode); see test_http_bodies.py.
    assert parts["meta"].get_payload(decode=True) == b"{pages=2}"


async def test_string_body_is_sent_as_written(server: LoopbackServer) -> None:
    path = unique("text")
    await run({"method": "POST", "url": server.url(path), "body": '{"raw": true}'})
    seen = server.requests_to(path)[-1]
    assert seen.body == b'{"raw": true}'
    assert seen.header("Content-Type") == "application/json"
    await run(
        {
            "method": "POST",
            "url": server.url(path),
            "headers": {"Content-Type": "text/plain; charset=ISO-8859-1"},
            "body": "café",
        }
    )
    seen = server.requests_to(path)[-1]
    assert seen.body == "café".encode("latin-1")
    assert seen.header("Content-Type") == "text/plain; charset=ISO-8859-1"


async def test_non_json_and_empty_bodies(server: LoopbackServer) -> None:
    text, empty = unique("text"), unique("empty")
    server.routes[text] = lambda seen: Reply(
        body="<html>hello</html>", headers=[("Content-Type", "text/html")]
    )
    server.routes[empty] = lambda seen: Reply(status=204)
    result = await run({"method": "GET", "url": server.url(text)})
    assert result["body"] == "<html>hello</html>"
    result = await run({"method": "DELETE", "url": server.url(empty)})
    assert result["status"] == 204
    assert result["body"] is None
    assert result["reason"] == "No Content"


@pytest.mark.parametrize(
    ("status", "reason", "body", "expected_body"),
    [
        (404, "Not Found", b'{"error": "no such order"}', {"error": "no such order"}),
        (500, "Internal Server Error", b"boom", "boom"),
    ],
)
async def test_error_status_raises_with_code_and_response(
    server: LoopbackServer, status: int, reason: str, body: bytes, expected_body: Any
) -> None:
    path = unique(f"status{status}")
    server.routes[path] = lambda seen: Reply(status=status, body=body, headers=[("X-Trace", "t1")])
    with pytest.raises(ConnectorError) as info:
        await run({"method": "GET", "url": server.url(path)})
    error = info.value
    assert not isinstance(error, ConnectorInputError)
    assert error.code == str(status)
    assert error.message == reason
    assert error.variables is not None
    assert error.variables["response"]["body"] == expected_body
    assert error.variables["response"]["headers"]["X-Trace"] == "t1"


async def test_redirects_off_returns_the_3xx_and_on_follows(server: LoopbackServer) -> None:
    start, target = unique("redirect"), unique("target")
    server.routes[start] = lambda seen: Reply(status=302, headers=[("Location", target)])
    server.routes[target] = lambda seen: Reply(body={"arrived": True})
    result = await run({"method": "GET", "url": server.url(start)})
    assert result["status"] == 302
    assert result["headers"]["Location"] == target
    assert server.requests_to(target) == []
    result = await run({"method": "GET", "url": server.url(start), "followRedirects": True})
    assert result["status"] == 200
    assert result["body"] == {"arrived": True}
    assert len(server.requests_to(target)) == 1


async def test_skip_encoding_sends_the_url_exactly(server: LoopbackServer) -> None:
    path = unique("raw")
    raw = f"{path}/a%2Fb/{{id}}?filter=x|y"
    await run({"method": "GET", "url": server.url(raw), "skipEncoding": "true"})
    assert server.requests_to(path + "/a%2Fb/{id}")[-1].target == raw
    await run({"method": "GET", "url": server.url(raw)})
    encoded = server.seen[-1].target
    assert encoded != raw  # normal encoding percent-encodes the braces and the bar
    assert encoded.startswith(f"{path}/a%2Fb/%7Bid%7D")


async def test_text_response_format_and_document_refusals(server: LoopbackServer) -> None:
    path = unique("format")
    server.routes[path] = lambda seen: Reply(
        body='{"a": 1}'.encode("utf-16"), headers=[("Content-Type", "application/json")]
    )
    result = await run(
        {
            "method": "GET",
            "url": server.url(path),
            "documentReturnFormat": {"choice": "TEXT", "encoding": "UTF-16"},
        }
    )
    assert result["body"] == '{"a": 1}'
    with pytest.raises(ConnectorInputError, match=r"documentReturnFormat\.choice"):
        await run(
            {
                "method": "GET",
                "url": server.url(path),
                "documentReturnFormat": {"choice": "DOCUMENT"},
            }
        )
    with pytest.raises(ConnectorInputError, match="storeResponse"):
        await run({"method": "GET", "url": server.url(path), "storeResponse": "true"})


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"url": "http://127.0.0.1/"}, "method"),
        ({"method": "GET"}, "url"),
        ({"method": "TRACE", "url": "http://127.0.0.1/"}, "method"),
        ({"method": "GET", "url": "ftp://127.0.0.1/file"}, "url"),
        ({"method": "GET", "url": "not a url"}, "url"),
        ({"method": "GET", "url": "http://127.0.0.1/", "headers": "nope"}, "headers"),
        ({"method": "GET", "url": "http://127.0.0.1/", "readTimeoutInSeconds": -1}, "readTimeout"),
        (
            {"method": "GET", "url": "http://127.0.0.1/", "authentication": {"type": "digest"}},
            "authentication",
        ),
        (
            {"method": "GET", "url": "http://127.0.0.1/", "authentication": {"type": "basic"}},
            "username",
        ),
        (
            {
                "method": "GET",
                "url": "http://127.0.0.1/",
                "authentication": {
                    "type": "oauth-client-credentials-flow",
                    "oauthTokenEndpoint": "ftp://127.0.0.1/token",
                    "clientId": "c",
                    "clientSecret": "s",
                    "clientAuthentication": "credentialsBody",
                },
            },
            "authentication.oauthTokenEndpoint",
        ),
    ],
)
async def test_bad_input_names_the_field(variables: dict[str, Any], field: str) -> None:
    with pytest.raises(ConnectorInputError) as info:
        await run(variables)
    assert field in str(info.value)


async def test_secrets_are_resolved_and_kept_out_of_errors(server: LoopbackServer) -> None:
    path = unique("secret")
    server.routes[path] = lambda seen: Reply(status=403, reason="Forbidden")
    with pytest.raises(ConnectorError) as info:
        await run(
            {
                "method": "GET",
                "url": server.url(path) + "?key={{secrets.API_KEY}}",
                "authentication": {"type": "bearer", "token": "{{secrets.TOKEN}}"},
            },
            secrets={"API_KEY": "k-123", "TOKEN": "t-456"},
        )
    seen: Seen = server.requests_to(path)[-1]
    assert seen.query == [("key", "k-123")]
    assert seen.header("Authorization") == "Bearer t-456"
    rendered = f"{info.value} {info.value.variables}"
    assert "k-123" not in rendered and "t-456" not in rendered
