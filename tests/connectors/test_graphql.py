"""The GraphQL connector against a real loopback server."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from connectors.graphql import graphql
from connectors.sdk import ConnectorError, ConnectorInputError
from connectors.sdk.testing import arun_connector
from tests.connectors.servers import LoopbackServer, Reply, Seen

QUERY = "query Order($id: ID!) { order(id: $id) { id total } }"


def unique(prefix: str) -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


def graphql_server(server: LoopbackServer, data: Any = None, errors: Any = None) -> str:
    path = unique("graphql")

    def answer(seen: Seen) -> Reply:
        body: dict[str, Any] = {"data": data}
        if errors is not None:
            body["errors"] = errors
        return Reply(body=body, headers=[("Content-Type", "application/json")])

    server.routes[path] = answer
    return path


async def run(variables: dict[str, Any], **kwargs: Any) -> Any:
    return await arun_connector(graphql, variables, **kwargs)


async def test_post_sends_query_and_variables_as_json(server: LoopbackServer) -> None:
    path = graphql_server(server, data={"order": {"id": "7", "total": 3}})
    result = await run(
        {
            "graphql": {
                "method": "post",
                "url": server.url(path),
                "query": QUERY,
                "variables": {"id": "7"},
                "headers": {"X-Tenant": "t1"},
                "connectionTimeoutInSeconds": "20",
            },
            "authentication": {"type": "bearer", "token": "gql-token"},
        }
    )
    assert result["status"] == 200
    assert result["body"] == {"data": {"order": {"id": "7", "total": 3}}}
    seen = server.requests_to(path)[-1]
    assert seen.method == "POST"
    assert seen.header("Content-Type") == "application/json"
    assert seen.header("Authorization") == "Bearer gql-token"
    assert seen.header("X-Tenant") == "t1"
    assert seen.json() == {"query": QUERY, "variables": {"id": "7"}}


async def test_get_sends_query_and_variables_as_parameters(server: LoopbackServer) -> None:
    path = graphql_server(server, data={"ok": True})
    await run(
        {
            "graphql": {
                "method": "GET",
                "url": server.url(path),
                "query": QUERY,
                "variables": '{"id": "8"}',
            }
        }
    )
    seen = server.requests_to(path)[-1]
    assert seen.method == "GET"
    assert seen.body == b""
    params = dict(seen.query)
    assert params["query"] == QUERY
    assert json.loads(params["variables"]) == {"id": "8"}


async def test_template_escapes_are_undone(server: LoopbackServer) -> None:
    path = graphql_server(server, data={})
    await run(
        {
            "graphql": {
                "method": "post",
                "url": server.url(path),
                "query": '{ search(text: \\"a\\") {\\n id } }',
            }
        }
    )
    assert server.requests_to(path)[-1].json() == {"query": '{ search(text: "a") { id } }'}


async def test_errors_array_raises_graphql_error(server: LoopbackServer) -> None:
    errors = [{"message": "Order not found", "path": ["order"]}, {"message": "second"}]
    path = graphql_server(server, data={"order": None}, errors=errors)
    with pytest.raises(ConnectorError) as info:
        await run({"graphql": {"method": "post", "url": server.url(path), "query": QUERY}})
    assert info.value.code == "GRAPHQL_ERROR"
    assert info.value.message == "Order not found"
    response = info.value.variables["response"]
    assert response["body"]["errors"] == errors
    assert response["headers"]["Content-Type"] == "application/json"


async def test_empty_errors_array_is_success(server: LoopbackServer) -> None:
    path = graphql_server(server, data={"a": 1}, errors=[])
    result = await run({"graphql": {"method": "post", "url": server.url(path), "query": "{a}"}})
    assert result["body"]["data"] == {"a": 1}


async def test_errors_are_found_in_a_text_response(server: LoopbackServer) -> None:
    path = graphql_server(server, errors=[{"message": "bad"}])
    with pytest.raises(ConnectorError) as info:
        await run(
            {
                "graphql": {"method": "post", "url": server.url(path), "query": "{a}"},
                "documentReturnFormat": {"choice": "TEXT"},
            }
        )
    assert info.value.code == "GRAPHQL_ERROR"


async def test_http_status_errors_come_first(server: LoopbackServer) -> None:
    path = unique("graphql-500")
    server.routes[path] = lambda seen: Reply(status=500, body={"errors": [{"message": "x"}]})
    with pytest.raises(ConnectorError) as info:
        await run({"graphql": {"method": "post", "url": server.url(path), "query": "{a}"}})
    assert info.value.code == "500"


async def test_read_timeout(server: LoopbackServer) -> None:
    path = unique("graphql-stall")
    stall = server.stall()
    server.routes[path] = lambda seen: Reply(stall=stall)
    with pytest.raises(ConnectorError) as info:
        await run(
            {
                "graphql": {
                    "method": "post",
                    "url": server.url(path),
                    "query": "{a}",
                    "readTimeoutInSeconds": 0.3,
                }
            }
        )
    stall.set()
    assert info.value.code == "408"


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({}, "graphql"),
        ({"graphql": {"method": "post", "url": "http://127.0.0.1/"}}, "graphql.query"),
        # camunda/connectors connectors/http/http-base/.../model/HttpMethod.java: POST, GET,
        # DELETE, PATCH, PUT (see test_every_camunda_method_is_accepted); TRACE is not one.
        ({"graphql": {"method": "trace", "url": "http://127.0.0.1/", "query": "{a}"}}, "method"),
        (
            {
                "graphql": {
                    "method": "get",
                    "url": "http://127.0.0.1/",
                    "query": "{a}",
                    "variables": "[1",
                }
            },
            "variables",
        ),
    ],
)
async def test_bad_input_names_the_field(variables: dict[str, Any], field: str) -> None:
    with pytest.raises(ConnectorInputError) as info:
        await run(variables)
    assert field in str(info.value)
