"""Error codes of the HTTP connectors and the exceptions that carry them."""

from __future__ import annotations

from connectors.sdk import ConnectorError, ConnectorInputError

TIMEOUT = "408"
PROTOCOL_ERROR = "500"
TLS_FAILED = "SSL_HANDSHAKE_FAILED"
HOST_NOT_ALLOWED = "HOST_NOT_ALLOWED"
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
OAUTH_TOKEN_ERROR = "OAUTH_TOKEN_ERROR"
OAUTH_REFRESH_TOKEN_EXPIRED = "OAUTH_REFRESH_TOKEN_EXPIRED"
OAUTH_INTERACTION_REQUIRED = "OAUTH_INTERACTION_REQUIRED"
GRAPHQL_ERROR = "GRAPHQL_ERROR"


class HostNotAllowed(ConnectorInputError):
    """The target (or a redirect target) is outside the operator's outbound host rules."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=HOST_NOT_ALLOWED)


class ResponseTooLarge(ConnectorError):
    """The response body is larger than ``CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE``."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            RESPONSE_TOO_LARGE,
            f"Response body exceeds the maximum size of {limit} bytes "
            "(CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE)",
        )
        self.limit = limit
