"""Inputs both connectors interpret the same way: credential precedence, TLS, body format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors._http.models import (
    AuthenticationConfiguration,
    ClientTls,
    DocumentReturnFormat,
)
from connectors._http.request import ResponseFormat
from connectors._http.tls import JobTls
from connectors.sdk import ConnectorInputError

_TRUE = {"true", "1", "yes", "on"}


def effective_authentication(inline: Any, configuration: AuthenticationConfiguration | None) -> Any:
    """A bound reusable credential takes precedence over the inline fields, as in Camunda."""
    if configuration is not None:
        return configuration.authentication
    return inline


def job_tls(tls: ClientTls | None) -> JobTls | None:
    if tls is None:
        return None
    material = JobTls(
        client_certificate=tls.client_certificate,
        client_private_key=tls.client_private_key,
        private_key_password=tls.private_key_password,
        trusted_certificate=tls.trusted_certificate,
    )
    return None if material.empty else material


def response_format(
    fmt: DocumentReturnFormat | None, store_response: Any, field: str
) -> tuple[ResponseFormat, str | None]:
    """The body format to return; document storage is refused with a clear input error."""
    if _truthy(store_response):
        raise ConnectorInputError(
            f"{field}: storing the response as a document is not supported by Switchboard; "
            "leave it off to receive the body inline"
        )
    if fmt is None:
        return "AUTO", None
    if fmt.choice == "DOCUMENT":
        raise ConnectorInputError(
            "documentReturnFormat.choice: 'Document reference' is not supported by Switchboard; "
            "choose 'as JSON' or 'as text'"
        )
    return fmt.choice, fmt.encoding


def nested(variables: Mapping[str, Any], *path: str) -> Any:
    current: Any = variables
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return False
