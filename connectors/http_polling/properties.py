"""The HTTP polling connector's properties, bound as Camunda's official templates write them
(``http-polling-connector.json``, ``http-polling-boundary-catch-event-connector.json``): the
REST connector's request model as plain ``zeebe:property`` names (``method``, ``url``,
``headers``, ``queryParameters``, ``body``, ``authentication.*``, the timeouts) plus the
intervals ``httpRequestInterval`` and ``processPollingInterval``.

Facts from camunda/connectors connectors/http/polling ``model/PollingRuntimeProperties.java``
(every request field is ``@FEEL``) and ``model/PollingIntervalConfiguration.java`` (defaults:
50 seconds between requests, 5 seconds between process instance look-ups).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from connectors._http.models import (
    BODY_CONDITION,
    METHOD_PROPERTY,
    URL_PROPERTY,
    WITHOUT_CONFIGURATION,
    AuthConfigurationField,
    Authentication,
    FlexBool,
    Method,
    NoAuthentication,
    Seconds,
    SkipEncoding,
    StringMap,
    UrlText,
    blank_to_none,
    timeout_property,
    upper_text,
)
from connectors.sdk import Property
from connectors.sdk.durations import java_duration
from connectors.sdk.inbound import FEEL

DEFAULT_HTTP_REQUEST_INTERVAL = dt.timedelta(seconds=50)
DEFAULT_PROCESS_POLLING_INTERVAL = dt.timedelta(seconds=5)


def parse_duration(value: Any) -> dt.timedelta | None:
    """An ISO-8601 duration as Java's ``Duration.parse`` reads it (blank: None)."""
    value = blank_to_none(value)
    if value is None or isinstance(value, dt.timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 duration such as PT30S")
    duration = java_duration(value)
    if duration is None:
        raise ValueError(f"must be an ISO-8601 duration such as PT30S, not {value.strip()[:40]!r}")
    return duration


Duration = Annotated[dt.timedelta | None, BeforeValidator(parse_duration)]


def _evaluated_url(value: Any) -> Any:
    if value is None:
        raise ValueError(
            "the URL expression gave null; without CAMUNDA_REST_ADDRESS the HTTP polling "
            "connector evaluates it without process variables (see docs/inbound.md, "
            "HTTP polling)"
        )
    return value


class PollingIntervals(BaseModel):
    """What is bound once at activation when polling per process instance (Camunda's
    ``PollingActivationProperties``): the two intervals."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    http_request_interval: Annotated[Duration, FEEL, Field(alias="httpRequestInterval")] = None
    process_polling_interval: Annotated[Duration, FEEL, Field(alias="processPollingInterval")] = (
        None
    )

    @property
    def request_interval(self) -> dt.timedelta:
        return self.http_request_interval or DEFAULT_HTTP_REQUEST_INTERVAL

    @property
    def process_interval(self) -> dt.timedelta:
        return self.process_polling_interval or DEFAULT_PROCESS_POLLING_INTERVAL


class PollingProperties(BaseModel):
    """The element's properties; aliases are the official templates' binding names."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    authentication_configuration: AuthConfigurationField = None
    authentication: Annotated[Authentication, WITHOUT_CONFIGURATION] = Field(
        default_factory=NoAuthentication
    )
    method: Annotated[
        Method,
        BeforeValidator(upper_text),
        FEEL,
        METHOD_PROPERTY,
    ] = "GET"
    url: Annotated[
        UrlText,
        BeforeValidator(_evaluated_url),
        FEEL,
        URL_PROPERTY,
    ]
    query_parameters: Annotated[
        StringMap,
        FEEL,
        Property(
            label="Query parameters",
            group="endpoint",
            feel="required",
            optional=True,
            description="Map of query parameters to add to the request URL",
        ),
        Field(alias="queryParameters"),
    ] = None
    headers: Annotated[
        StringMap,
        FEEL,
        Property(
            label="Headers",
            group="endpoint",
            feel="required",
            optional=True,
            description="Map of HTTP headers to add to the request",
        ),
    ] = None
    skip_encoding: Annotated[
        SkipEncoding,
        Property(
            label="Skip URL encoding",
            group="endpoint",
            type="Hidden",
            value="false",
            optional=True,
            description="Skip the default URL decoding and encoding behavior",
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
            tooltip="If enabled, HTTP 3xx redirects will be followed automatically",
        ),
        Field(alias="followRedirects"),
    ] = False
    body: Annotated[
        Any,
        FEEL,
        Property(
            label="Request body",
            group="payload",
            type="Text",
            feel="optional",
            optional=True,
            condition=BODY_CONDITION,
            description="Payload to send with the request",
        ),
    ] = None
    http_request_interval: Annotated[
        Duration,
        FEEL,
        Property(
            label="Http request interval",
            group="interval",
            feel="optional",
            value="PT50S",
            tooltip="The delay between HTTP requests, defined in ISO 8601 duration format",
        ),
        Field(alias="httpRequestInterval"),
    ] = None
    process_polling_interval: Annotated[
        Duration,
        FEEL,
        Property(
            label="Process polling interval",
            group="interval",
            type="Hidden",
            value="PT5S",
            description="How often the process instances waiting at the element are looked up "
            "(with Camunda's REST API; without it Switchboard polls per element)",
        ),
        Field(alias="processPollingInterval"),
    ] = None
    connection_timeout_in_seconds: Annotated[
        Seconds,
        FEEL,
        timeout_property("Connection timeout in seconds"),
        Field(alias="connectionTimeoutInSeconds"),
    ] = None
    read_timeout_in_seconds: Annotated[
        Seconds,
        FEEL,
        timeout_property("Read timeout in seconds"),
        Field(alias="readTimeoutInSeconds"),
    ] = None

    @property
    def interval(self) -> dt.timedelta:
        return self.http_request_interval or DEFAULT_HTTP_REQUEST_INTERVAL
