"""Build Camunda's official REST client from the settings, and read its errors.

The client is ``camunda_orchestration_sdk.CamundaAsyncClient``. Its configuration is passed
explicitly (the SDK also reads ``CAMUNDA_*`` from the environment; explicit values win), so
what Switchboard's settings say is what the client does:

- ``CAMUNDA_AUTH_STRATEGY`` is ``OAUTH`` when ``CAMUNDA_CLIENT_ID`` is set, ``BASIC`` when
  ``CAMUNDA_BASIC_AUTH_USERNAME`` is, else ``NONE``;
- the OAuth token is never cached on disk (``CAMUNDA_TOKEN_DISK_CACHE_DISABLE``);
- the SDK's adaptive back-pressure gate is observe-only (``LEGACY``): the worker backs off
  itself, with the same rules as the gRPC engine;
- the SDK logs through the stdlib logger ``switchboard.camunda_rest.sdk`` at ``error`` only,
  and Switchboard's log masking applies to it like to every other logger.

HTTP answers become the engine error tree of :mod:`app.runtime.engine`, with gRPC status
names as ``reason`` (the REST gateway maps Zeebe's rejections onto HTTP statuses; this is the
way back: camunda/camunda ``zeebe/gateway-rest/.../RestErrorMapper.java``).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from camunda_orchestration_sdk import CamundaAsyncClient
from camunda_orchestration_sdk.errors import ApiError

from app.runtime.engine import EngineError, EngineRejectedError, EngineUnavailableError
from app.settings.camunda_rest import CamundaRestSettings

SDK_LOGGER = "switchboard.camunda_rest.sdk"
CONNECT_TIMEOUT_SECONDS = 10.0

# HTTP status -> gRPC status name, as the REST gateway maps rejections (RestErrorMapper and
# GatewayErrorMapper in camunda/camunda) read backwards.
_STATUS_REASONS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "ABORTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# Answers that mean "nobody took the command": worth sending again later.
_NO_ANSWER = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED"})


def sdk_configuration(settings: CamundaRestSettings) -> dict[str, str]:
    """The SDK's configuration (its ``CAMUNDA_*`` keys) for these settings."""
    if not settings.camunda_rest_address:
        raise ValueError("CAMUNDA_REST_ADDRESS must be set to use the REST engine")
    config = {
        "CAMUNDA_REST_ADDRESS": settings.camunda_rest_address,
        "CAMUNDA_SDK_LOG_LEVEL": "error",
        "CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY",
        "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "true",
        "CAMUNDA_AUTH_STRATEGY": "NONE",
    }
    if settings.camunda_client_id and settings.camunda_client_secret is not None:
        config.update(
            {
                "CAMUNDA_AUTH_STRATEGY": "OAUTH",
                "CAMUNDA_CLIENT_ID": settings.camunda_client_id,
                "CAMUNDA_CLIENT_SECRET": settings.camunda_client_secret.get_secret_value(),
                "CAMUNDA_OAUTH_URL": settings.camunda_oauth_url,
                "CAMUNDA_TOKEN_AUDIENCE": settings.camunda_token_audience,
            }
        )
    elif settings.camunda_basic_auth_username and settings.camunda_basic_auth_password:
        config.update(
            {
                "CAMUNDA_AUTH_STRATEGY": "BASIC",
                "CAMUNDA_BASIC_AUTH_USERNAME": settings.camunda_basic_auth_username,
                "CAMUNDA_BASIC_AUTH_PASSWORD": (
                    settings.camunda_basic_auth_password.get_secret_value()
                ),
            }
        )
    return config


def create_client(
    settings: CamundaRestSettings,
    *,
    read_timeout_seconds: float,
    max_connections: int = 100,
) -> CamundaAsyncClient:
    """A client whose read timeout outlasts a long-polling activation."""
    return CamundaAsyncClient(
        configuration=sdk_configuration(settings),  # type: ignore[arg-type]
        logger=logging.getLogger(SDK_LOGGER),
        timeout=httpx.Timeout(read_timeout_seconds, connect=CONNECT_TIMEOUT_SECONDS),
        httpx_args={
            "limits": httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
            )
        },
    )


def reason_of(exc: BaseException) -> str:
    """The gRPC status name an SDK or transport error stands for."""
    if isinstance(exc, ApiError):
        title = _title(exc)
        if exc.status_code == 409:
            return "ALREADY_EXISTS" if title == "ALREADY_EXISTS" else "FAILED_PRECONDITION"
        if exc.status_code == 503 and title == "RESOURCE_EXHAUSTED":
            return "RESOURCE_EXHAUSTED"  # Zeebe's back pressure (GatewayErrorMapper)
        return _STATUS_REASONS.get(exc.status_code, "UNKNOWN")
    if isinstance(exc, httpx.TimeoutException):
        return "DEADLINE_EXCEEDED"
    if isinstance(exc, httpx.TransportError):
        return "UNAVAILABLE"
    return "UNKNOWN"


def describe_error(exc: BaseException) -> str:
    """``HTTP 404 NOT_FOUND: <detail>`` for an answer, the class name for anything else.

    Problem details carry the engine's explanation, never job variables; the raw response
    body is never quoted (``str(ApiError)`` would quote it whole).
    """
    if isinstance(exc, ApiError):
        text = f"HTTP {exc.status_code} {_title(exc) or reason_of(exc)}"
        detail = _detail(exc)
        return f"{text}: {detail[:300]}" if detail else text
    return type(exc).__name__


def engine_error(exc: BaseException, command: str) -> EngineError:
    """The engine error tree's member for an SDK or transport error of ``command``."""
    reason = reason_of(exc)
    message = f"{command}: {describe_error(exc)}"
    detail = (_detail(exc)[:500] or None) if isinstance(exc, ApiError) else None
    if not isinstance(exc, ApiError) or reason in _NO_ANSWER:
        return EngineUnavailableError(message, reason=reason, detail=detail)
    return EngineRejectedError(message, reason=reason, detail=detail)


def _title(exc: ApiError) -> str:
    return _problem_field(exc, "title")


def _detail(exc: ApiError) -> str:
    return _problem_field(exc, "detail").strip()


def _problem_field(exc: ApiError, name: str) -> str:
    value: Any = getattr(exc.parsed, name, None)
    return value if isinstance(value, str) else ""
