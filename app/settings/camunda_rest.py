"""Job transport choice and Camunda's Orchestration Cluster REST API connection options.

The variable names are the ones Camunda's own clients read (``camunda-orchestration-sdk``'s
configuration reference; camunda-docs "Orchestration Cluster REST API" authentication):
``CAMUNDA_REST_ADDRESS``, ``CAMUNDA_CLIENT_ID``, ``CAMUNDA_CLIENT_SECRET``,
``CAMUNDA_OAUTH_URL``, ``CAMUNDA_TOKEN_AUDIENCE``, ``CAMUNDA_BASIC_AUTH_USERNAME``,
``CAMUNDA_BASIC_AUTH_PASSWORD``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator

JobTransport = Literal["grpc", "rest"]


class CamundaRestSettings(BaseModel):
    job_transport: JobTransport = Field(
        "grpc",
        validation_alias="SWITCHBOARD_JOB_TRANSPORT",
        description="How the worker takes jobs: grpc (Zeebe gateway, ZEEBE_ADDRESS) or rest "
        "(Camunda's Orchestration Cluster REST API, CAMUNDA_REST_ADDRESS; no ZEEBE_ADDRESS "
        "needed).",
    )
    camunda_rest_address: str | None = Field(
        None,
        validation_alias="CAMUNDA_REST_ADDRESS",
        description="Base URL of the Orchestration Cluster REST API, e.g. "
        "http://localhost:8080 (/v2 is appended when missing). Used for jobs when "
        "SWITCHBOARD_JOB_TRANSPORT=rest, for process-definition discovery and for the "
        "message correlations of the Send Message connector (gRPC has no correlate command).",
    )
    camunda_client_id: str | None = Field(
        None,
        validate_default=True,
        validation_alias="CAMUNDA_CLIENT_ID",
        description="OAuth client id for the REST API (client-credentials flow). Unset: no "
        "authentication.",
    )
    camunda_client_secret: SecretStr | None = Field(
        None,
        validate_default=True,
        validation_alias="CAMUNDA_CLIENT_SECRET",
        description="OAuth client secret for the REST API. Never logged.",
    )
    camunda_oauth_url: str = Field(
        "https://login.cloud.camunda.io/oauth/token",
        validation_alias="CAMUNDA_OAUTH_URL",
        description="OAuth token endpoint for the REST API (the SDK's default is Camunda SaaS's).",
    )
    camunda_token_audience: str = Field(
        "zeebe.camunda.io",
        validation_alias="CAMUNDA_TOKEN_AUDIENCE",
        description="OAuth audience of the REST API token (the SDK's default is Camunda SaaS's).",
    )

    camunda_basic_auth_username: str | None = Field(
        None,
        validate_default=True,
        validation_alias="CAMUNDA_BASIC_AUTH_USERNAME",
        description="Basic authentication user for the REST API (Self-Managed Helm's default). "
        "Not together with CAMUNDA_CLIENT_ID.",
    )
    camunda_basic_auth_password: SecretStr | None = Field(
        None,
        validate_default=True,
        validation_alias="CAMUNDA_BASIC_AUTH_PASSWORD",
        description="Basic authentication password for the REST API. Never logged.",
    )

    @field_validator("camunda_rest_address")
    @classmethod
    def _check_rest_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"expected an http(s) URL such as http://localhost:8080, got {value!r}"
            )
        return value

    @field_validator("camunda_client_id")
    @classmethod
    def _rest_client_id(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    @field_validator("camunda_client_secret")
    @classmethod
    def _rest_secret_with_id(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            value = None
        if value is None and info.data.get("camunda_client_id"):
            raise ValueError("required when CAMUNDA_CLIENT_ID is set")
        return value

    @field_validator("camunda_basic_auth_username")
    @classmethod
    def _rest_basic_user(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = value.strip() or None if value else None
        if value and info.data.get("camunda_client_id"):
            raise ValueError("not together with CAMUNDA_CLIENT_ID: choose OAuth or Basic")
        return value

    @field_validator("camunda_basic_auth_password")
    @classmethod
    def _rest_basic_password(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            value = None
        if value is None and info.data.get("camunda_basic_auth_username"):
            raise ValueError("required when CAMUNDA_BASIC_AUTH_USERNAME is set")
        return value

    @property
    def camunda_rest_enabled(self) -> bool:
        """Whether the REST engine takes jobs (REST transport chosen and an address set)."""
        return self.job_transport == "rest" and bool(self.camunda_rest_address)
