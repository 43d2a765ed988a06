"""The REST connector: drop-in for Camunda's ``io.camunda:http-json:1``
(element template ``io.camunda.connectors.HttpJson.v2``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from connectors._http import RUNTIME_HOOKS, HttpRequestSpec, aclose, execute
from connectors._http.models import (
    BODY_CONDITION,
    METHOD_PROPERTY,
    URL_PROPERTY,
    WITHOUT_CONFIGURATION,
    AuthConfigurationField,
    Authentication,
    ClientTls,
    DocumentReturnFormat,
    FlexBool,
    Method,
    NoAuthentication,
    Seconds,
    SkipEncoding,
    StringMap,
    UrlText,
    blank_to_none,
    read_timeouts,
    skips_encoding,
    timeout_property,
    upper_text,
)
from connectors._http.options import effective_authentication, job_tls, response_format
from connectors.sdk import (
    Example,
    Group,
    OutboundContext,
    Property,
    outbound_connector,
)

TYPE = "io.camunda:http-json:1"
TEMPLATE_ID = "io.camunda.connectors.HttpJson.v2"

# Camunda's list, minus groupSetCookieHeaders (no behaviour behind it).
INPUT_VARIABLES = (
    "url",
    "method",
    "authentication",
    "clientTls",
    "headers",
    "queryParameters",
    "skipEncoding",
    "connectionTimeoutInSeconds",
    "readTimeoutInSeconds",
    "body",
    "storeResponse",
    "documentReturnFormat",
    "ignoreNullValues",
    "followRedirects",
    "authenticationConfiguration",
)


class HttpJsonInput(BaseModel):
    """Inputs of the REST connector; aliases are the official template's binding names."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    authentication_configuration: AuthConfigurationField = None
    authentication: Annotated[Authentication, WITHOUT_CONFIGURATION] = Field(
        default_factory=NoAuthentication
    )
    client_tls: Annotated[
        ClientTls | None, BeforeValidator(blank_to_none), Field(alias="clientTls")
    ] = None
    method: Annotated[
        Method,
        BeforeValidator(upper_text),
        METHOD_PROPERTY,
    ]
    url: Annotated[
        UrlText,
        URL_PROPERTY,
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
    query_parameters: Annotated[
        StringMap,
        Property(
            label="Query parameters",
            group="endpoint",
            feel="required",
            optional=True,
            tooltip="Map of query parameters to add to the request URL",
        ),
        Field(alias="queryParameters"),
    ] = None
    skip_encoding: Annotated[
        SkipEncoding,
        Property(
            label="Skip URL encoding",
            group="endpoint",
            type="Hidden",
            value="false",
            optional=True,
            tooltip="Skip the default URL decoding and encoding behavior",
        ),
        Field(alias="skipEncoding"),
    ] = None
    follow_redirects: Annotated[
        FlexBool,
        Property(
            label="Follow redirects",
            group="endpoint",
            type="Boolean",
            feel="static",
            value=False,
            tooltip="If enabled, HTTP 3xx redirects will be followed automatically. Disabled by "
            "default.",
        ),
        Field(alias="followRedirects"),
    ] = False
    document_return_format: Annotated[
        DocumentReturnFormat | None,
        BeforeValidator(blank_to_none),
        Field(alias="documentReturnFormat"),
    ] = None
    connection_timeout_in_seconds: Annotated[
        Seconds,
        timeout_property("Connection timeout in seconds"),
        Field(alias="connectionTimeoutInSeconds"),
    ] = None
    read_timeout_in_seconds: Annotated[
        Seconds,
        timeout_property("Read timeout in seconds"),
        Field(alias="readTimeoutInSeconds"),
    ] = None
    body: Annotated[
        Any,
        Property(
            label="Request body",
            group="payload",
            type="Text",
            feel="optional",
            optional=True,
            condition=BODY_CONDITION,
            tooltip="Payload to send with the request",
        ),
    ] = None
    ignore_null_values: Annotated[
        FlexBool,
        Property(
            label="Ignore null values",
            group="payload",
            type="Boolean",
            feel="static",
            value=False,
            condition=BODY_CONDITION,
            tooltip="Null values will not be sent",
        ),
        Field(alias="ignoreNullValues"),
    ] = False


def request_spec(data: HttpJsonInput, variables: dict[str, Any]) -> HttpRequestSpec:
    """Map the bound inputs (and the legacy ``storeResponse`` variable) to a request."""
    fmt, encoding = response_format(
        data.document_return_format, variables.get("storeResponse"), "storeResponse"
    )
    connect, read = read_timeouts(data.connection_timeout_in_seconds, data.read_timeout_in_seconds)
    return HttpRequestSpec(
        method=data.method,
        url=data.url,
        authentication=effective_authentication(
            data.authentication, data.authentication_configuration
        ),
        headers=data.headers,
        query=data.query_parameters,
        body=data.body,
        connect_timeout=connect,
        read_timeout=read,
        skip_encoding=skips_encoding(data.skip_encoding),
        ignore_null_values=data.ignore_null_values,
        follow_redirects=data.follow_redirects,
        tls=job_tls(data.client_tls),
        response_format=fmt,
        encoding=encoding,
    )


@outbound_connector(
    name="HTTP REST",
    type=TYPE,
    input_variables=INPUT_VARIABLES,
    description="Invoke a REST API: any method, JSON, form or multipart bodies, every "
    "authentication of Camunda's REST connector.",
    documentation_url="https://docs.camunda.io/docs/components/connectors/protocol/rest/",
    template_id=TEMPLATE_ID,
    version=18,
    groups=(
        Group("authentication", "Authentication"),
        Group("tls", "Client certificate (mTLS)"),
        Group("endpoint", "HTTP endpoint"),
        Group("timeout", "Connection timeout"),
        Group("payload", "Payload"),
    ),
    examples=(
        Example(
            "GET a JSON document",
            {"method": "GET", "url": "https://example.com/api/orders/42"},
            {"resultExpression": "={order: response.body}"},
        ),
        Example(
            "POST JSON with a bearer token from the secrets",
            {
                "method": "POST",
                "url": "https://example.com/api/orders",
                "authentication": {"type": "bearer", "token": "{{secrets.API_TOKEN}}"},
                "headers": {"X-Request-Source": "switchboard"},
                "body": {"item": "book", "quantity": 1},
            },
            {"resultVariable": "created"},
        ),
    ),
)
async def http_json(data: HttpJsonInput, context: OutboundContext) -> dict[str, Any]:
    return await execute(request_spec(data, dict(context.variables)))


http_json = http_json.with_overrides(
    # Same template version and retry backoff default as Camunda's newest official template,
    # so a BPMN modelled with it resolves to ours.
    extra={**RUNTIME_HOOKS, "template_retry_backoff": "PT30S"},
)

__all__ = ["INPUT_VARIABLES", "TYPE", "HttpJsonInput", "aclose", "http_json", "request_spec"]
