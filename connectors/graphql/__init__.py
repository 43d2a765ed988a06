"""The GraphQL connector: drop-in for Camunda's ``io.camunda:connector-graphql:1``
(element template ``io.camunda.connectors.GraphQL.v1``)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from connectors._http import RUNTIME_HOOKS, HttpRequestSpec, aclose, execute
from connectors._http.errors import GRAPHQL_ERROR
from connectors._http.models import (
    WITHOUT_CONFIGURATION,
    AuthConfigurationField,
    Authentication,
    DocumentReturnFormat,
    JsonObject,
    NoAuthentication,
    NonEmpty,
    Seconds,
    StringMap,
    UrlText,
    blank_to_none,
    lower_text,
    read_timeouts,
    timeout_property,
    url_constraint,
)
from connectors._http.options import effective_authentication, nested, response_format
from connectors.sdk import (
    Choice,
    ConnectorError,
    Group,
    OutboundContext,
    Property,
    outbound_connector,
)

TYPE = "io.camunda:connector-graphql:1"
TEMPLATE_ID = "io.camunda.connectors.GraphQL.v1"
INPUT_VARIABLES = (
    "graphql",
    "authentication",
    "documentReturnFormat",
    "authenticationConfiguration",
)


class GraphQLQuery(BaseModel):
    """The ``graphql.*`` inputs."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    # Every method of Camunda's HttpMethod (connectors/http/http-base/.../model/HttpMethod.java,
    # read case-insensitively); the template offers GET and POST.
    method: Annotated[
        Literal["get", "post", "put", "patch", "delete"],
        BeforeValidator(lower_text),
        Property(
            label="Method",
            group="endpoint",
            value="get",
            choices=(Choice("get", "GET"), Choice("post", "POST")),
        ),
    ]
    headers: Annotated[
        StringMap,
        Property(
            label="Headers",
            group="endpoint",
            feel="required",
            optional=True,
            tooltip="Map of HTTP headers to add to the request",
        ),
    ] = None
    url: Annotated[
        UrlText,
        Property(label="URL", group="endpoint", feel="optional", extra=url_constraint()),
    ]
    query: Annotated[
        NonEmpty,
        Property(
            label="Query/Mutation",
            group="graphql",
            type="Text",
            feel="optional",
            tooltip="The GraphQL query or mutation to execute.",
        ),
    ]
    variables: Annotated[
        JsonObject,
        Property(label="Variables", group="graphql", feel="required", optional=True),
    ] = None
    connection_timeout_in_seconds: Annotated[
        Seconds,
        timeout_property("Connection timeout in seconds", optional=True),
        Field(alias="connectionTimeoutInSeconds"),
    ] = None
    read_timeout_in_seconds: Annotated[
        Seconds,
        timeout_property("Read timeout in seconds", optional=True),
        Field(alias="readTimeoutInSeconds"),
    ] = None


class GraphQLInput(BaseModel):
    """Inputs of the GraphQL connector; aliases are the official template's binding names."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    authentication_configuration: AuthConfigurationField = None
    authentication: Annotated[Authentication, WITHOUT_CONFIGURATION] = Field(
        default_factory=NoAuthentication
    )
    graphql: GraphQLQuery
    document_return_format: Annotated[
        DocumentReturnFormat | None,
        BeforeValidator(blank_to_none),
        Field(alias="documentReturnFormat"),
    ] = None


def escaped_query(query: str) -> str:
    """Undo template-level escaping, as Camunda does: literal ``\\n`` dropped, ``\\"`` -> ``"``."""
    return query.replace("\\n", "").replace('\\"', '"')


def request_spec(data: GraphQLInput, variables: dict[str, Any]) -> HttpRequestSpec:
    """POST, PUT and PATCH send ``{query, variables}`` as a JSON body; GET and DELETE send
    them as query parameters (``variables`` as JSON text), as Camunda's GraphQLRequestMapper
    does by ``HttpMethod.supportsBody``."""
    gql = data.graphql
    fmt, encoding = response_format(
        data.document_return_format,
        nested(variables, "graphql", "storeResponse"),
        "graphql.storeResponse",
    )
    payload: dict[str, Any] = {"query": escaped_query(gql.query)}
    if gql.variables is not None:
        payload["variables"] = gql.variables
    connect, read = read_timeouts(gql.connection_timeout_in_seconds, gql.read_timeout_in_seconds)
    query: dict[str, str | list[str]] | None = None
    body: Any = None
    if gql.method in ("post", "put", "patch"):
        body = payload
    else:
        query = {"query": payload["query"]}
        if "variables" in payload:
            query["variables"] = json.dumps(
                payload["variables"], ensure_ascii=False, separators=(",", ":")
            )
    return HttpRequestSpec(
        method=gql.method.upper(),
        url=gql.url,
        authentication=effective_authentication(
            data.authentication, data.authentication_configuration
        ),
        headers=gql.headers,
        query=query,
        body=body,
        connect_timeout=connect,
        read_timeout=read,
        response_format=fmt,
        encoding=encoding,
    )


def raise_on_graphql_errors(result: dict[str, Any]) -> dict[str, Any]:
    """A response whose ``errors`` array is non-empty fails with ``GRAPHQL_ERROR``."""
    body = result.get("body")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return result
    if not isinstance(body, dict):
        return result
    problems = body.get("errors")
    if isinstance(problems, list) and problems:
        first = problems[0]
        message = (
            first["message"]
            if isinstance(first, dict) and isinstance(first.get("message"), str)
            else "GraphQL response contains errors"
        )
        raise ConnectorError(
            GRAPHQL_ERROR,
            message,
            {"response": {"body": body, "headers": result.get("headers")}},
        )
    return result


@outbound_connector(
    name="GraphQL",
    type=TYPE,
    input_variables=INPUT_VARIABLES,
    description="Execute a GraphQL query or mutation.",
    documentation_url="https://docs.camunda.io/docs/components/connectors/protocol/graphql/",
    template_id=TEMPLATE_ID,
    version=13,
    groups=(
        Group("authentication", "Authentication"),
        Group("endpoint", "HTTP Endpoint"),
        Group("graphql", "GraphQL query"),
        Group("timeout", "Connection timeout"),
    ),
)
async def graphql(data: GraphQLInput, context: OutboundContext) -> dict[str, Any]:
    result = await execute(request_spec(data, dict(context.variables)))
    return raise_on_graphql_errors(result)


graphql = graphql.with_overrides(
    # Same template version and retry backoff default as Camunda's newest official template,
    # so a BPMN modelled with it resolves to ours.
    extra={**RUNTIME_HOOKS, "template_retry_backoff": "PT30S"},
)

__all__ = ["INPUT_VARIABLES", "TYPE", "GraphQLInput", "aclose", "graphql", "request_spec"]
