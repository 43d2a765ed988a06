"""URLs go on the wire as Camunda's REST connector sends them.

Cases from camunda/connectors connector-commons/http-client/src/test/java/io/camunda/
connector/http/client/client/apache/builder/parts/UrlEncoderTest.java (UrlEncoder.java uses
Google's GenericUrl: googleapis/google-http-java-client GenericUrl.java, CharEscapers.java,
UrlEncodedParser.java); extra query parameters as Apache's ClassicRequestBuilder adds them
(apache/httpcomponents-core URIBuilder.java: the whole query re-encoded, unreserved
characters only). The URL pattern is the one Camunda validates on HttpCommonRequest.url.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from connectors.graphql import graphql
from connectors.http_json import http_json
from connectors.sdk import ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer


def unique() -> str:
    return f"/u-{uuid.uuid4().hex[:8]}"


async def sent_target(server: LoopbackServer, suffix: str, **variables: Any) -> str:
    prefix = unique()
    await arun_connector(
        http_json, {"method": "GET", "url": server.url(prefix + suffix), **variables}
    )
    seen = [s for s in server.seen if s.target.startswith(prefix)]
    assert len(seen) == 1, seen
    return seen[0].target[len(prefix) :]


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        # path: invalid characters escaped, needless escapes undone, reserved kept
        ("/hello, world!", "/hello,%20world!"),
        ("/hello, %2Cworld!", "/hello,%20,world!"),
        ("/hello%2C%20world%21", "/hello,%20world!"),
        ("/hello,world!", "/hello,world!"),
        ("/hello%2Cworld%21", "/hello,world!"),
        ("/über uns", "/%C3%BCber%20uns"),
        ("/hello,&world!", "/hello,&world!"),
        ("/hello%2C%26world%21", "/hello,&world!"),
        # query
        ("/test?query=hello:world?", "/test?query=hello:world?"),
        ("/test?query=hello%3Fworld?", "/test?query=hello?world?"),
        ("/test?query=hello%3Aworld%3F", "/test?query=hello:world?"),
        ("/test?query=hello world?", "/test?query=hello%20world?"),
        ("/test?param1=value1&param2=value 2", "/test?param1=value1&param2=value%202"),
        ("/test?mark?value%3F", "/test?mark?value?"),
        ("/test?query=hello,world!", "/test?query=hello,world!"),
        ("/test?query=hello%20world!", "/test?query=hello%20world!"),
        # a plus: in the path a plus sign, in the query a space
        ("/hello+world", "/hello%2Bworld"),
        ("/test?hello+world", "/test?hello%20world"),
        # the fragment is not sent
        ("/foo/bar#section 2", "/foo/bar"),
        # path encoded, query not
        ("/test%2C?query=helloWorld?", "/test,?query=helloWorld?"),
        (
            "/path%20with%20spaces?andQuery=Param with space",
            "/path%20with%20spaces?andQuery=Param%20with%20space",
        ),
        # GenericUrl keeps parameters grouped by name, in order of first appearance
        ("/g?a=1&b=2&a=3", "/g?a=1&a=3&b=2"),
        ("/g?empty=&flag", "/g?empty&flag"),
    ],
)
async def test_urls_are_normalised_as_camunda_does(
    server: LoopbackServer, written: str, sent: str
) -> None:
    assert await sent_target(server, written) == sent


async def test_a_url_without_path_is_sent_to_the_root(server: LoopbackServer) -> None:
    await arun_connector(http_json, {"method": "GET", "url": server.base})
    assert server.seen[-1].target == "/"


async def test_query_parameters_reencode_the_whole_query_as_apache_does(
    server: LoopbackServer,
) -> None:
    target = await sent_target(server, "/q?x=a:b&p=1+1", queryParameters={"y": "c d/e", "z": "ü&="})
    # '+' is literal for URIBuilder, so GenericUrl's space (%20) stays a space.
    assert target == "/q?x=a%3Ab&p=1%201&y=c%20d%2Fe&z=%C3%BC%26%3D"


async def test_an_api_key_in_the_query_comes_before_the_query_parameters(
    server: LoopbackServer,
) -> None:
    # ApacheRequestBuilder runs the authentication builder before the query parameters one.
    target = await sent_target(
        server,
        "/k",
        queryParameters={"q": "1"},
        authentication={"type": "apiKey", "apiKeyLocation": "query", "name": "key", "value": "v"},
    )
    assert target == "/k?key=v&q=1"


async def test_skip_encoding_sends_the_url_as_written(server: LoopbackServer) -> None:
    # UrlEncoderTest.shouldHandleSkipEncoding.
    for written in ("/hello,world!", "/hello%2Cworld%21", "/hello,%20world!", "/test?hello+world"):
        assert await sent_target(server, written, skipEncoding="true") == written


@pytest.mark.parametrize("url", ["HTTP://127.0.0.1/", "Https://127.0.0.1/", " http://127.0.0.1/"])
async def test_the_url_pattern_is_case_sensitive(url: str) -> None:
    # HttpCommonRequest.url: @Pattern("^(=|(http://|https://|secrets|\\{\\{).*$)").
    with pytest.raises(ConnectorInputError) as info:
        await arun_connector(http_json, {"method": "GET", "url": url})
    assert "url: Must be a http(s) URL" in str(info.value)
    with pytest.raises(ConnectorInputError) as info:
        await arun_connector(graphql, {"graphql": {"method": "get", "url": url, "query": "{a}"}})
    assert "Must be a http(s) URL" in str(info.value)


async def test_a_malformed_escape_is_an_input_error() -> None:
    with pytest.raises(ConnectorInputError, match="url"):
        await arun_connector(http_json, {"method": "GET", "url": "http://127.0.0.1:9/100%"})
