"""The REST connector's request for the HTTP polling connector's bound properties."""

from __future__ import annotations

from connectors._http import HttpRequestSpec
from connectors._http.models import read_timeouts, skips_encoding
from connectors._http.options import effective_authentication
from connectors.http_polling.properties import PollingProperties


def request_spec(props: PollingProperties) -> HttpRequestSpec:
    """The REST connector's request for the bound properties."""
    connect, read = read_timeouts(
        props.connection_timeout_in_seconds, props.read_timeout_in_seconds
    )
    return HttpRequestSpec(
        method=props.method,
        url=props.url,
        authentication=effective_authentication(
            props.authentication, props.authentication_configuration
        ),
        headers=props.headers,
        query=props.query_parameters,
        body=props.body,
        connect_timeout=connect,
        read_timeout=read,
        skip_encoding=skips_encoding(props.skip_encoding),
        follow_redirects=props.follow_redirects,
    )
