"""Zeebe worker and gateway connection options."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator


class ZeebeSettings(BaseModel):
    zeebe_address: str | None = Field(
        None,
        validation_alias="ZEEBE_ADDRESS",
        description="Zeebe gateway host:port. Unset (and no CAMUNDA_CLUSTER_ID): the worker is "
        "off.",
    )
    zeebe_insecure_connection: bool | None = Field(
        None,
        validation_alias="ZEEBE_INSECURE_CONNECTION",
        description="true: plaintext gRPC; false: TLS. Unset: TLS when a CA certificate, OAuth "
        "credentials or a Camunda SaaS cluster is configured, plaintext otherwise.",
    )
    zeebe_ca_certificate_path: str | None = Field(
        None,
        validation_alias="ZEEBE_CA_CERTIFICATE_PATH",
        description="PEM file of the CA that signed the gateway's certificate (TLS). Unset: the "
        "system trust store.",
    )
    camunda_cluster_id: str | None = Field(
        None,
        validation_alias="CAMUNDA_CLUSTER_ID",
        description="Camunda SaaS cluster id: connect to "
        "<id>.<region>.zeebe.camunda.io:443 with TLS and OAuth (ZEEBE_ADDRESS is then ignored).",
    )
    camunda_cluster_region: str = Field(
        "bru-2",
        validation_alias="CAMUNDA_CLUSTER_REGION",
        description="Camunda SaaS cluster region.",
    )
    zeebe_client_id: str | None = Field(
        None,
        validate_default=True,
        validation_alias="ZEEBE_CLIENT_ID",
        description="OAuth client id (client-credentials flow). Set: every call carries a "
        "bearer token.",
    )
    zeebe_client_secret: SecretStr | None = Field(
        None,
        validate_default=True,
        validation_alias="ZEEBE_CLIENT_SECRET",
        description="OAuth client secret. Never logged.",
    )
    zeebe_authorization_server_url: str | None = Field(
        None,
        validate_default=True,
        validation_alias="ZEEBE_AUTHORIZATION_SERVER_URL",
        description="OAuth token endpoint. Camunda SaaS default: "
        "https://login.cloud.camunda.io/oauth/token.",
    )
    zeebe_token_audience: str | None = Field(
        None,
        validation_alias="ZEEBE_TOKEN_AUDIENCE",
        description="OAuth audience of the token. Camunda SaaS default: zeebe.camunda.io.",
    )
    zeebe_token_scope: str | None = Field(
        None,
        validation_alias="ZEEBE_TOKEN_SCOPE",
        description="OAuth scope of the token request (optional).",
    )
    worker_name: str = Field(
        "switchboard",
        min_length=1,
        validation_alias="SWITCHBOARD_WORKER_NAME",
        description="Worker name sent with every job activation (shown in Operate).",
    )
    worker_tenant_ids: str = Field(
        "",
        validation_alias="SWITCHBOARD_WORKER_TENANT_IDS",
        description="Comma list of tenant ids to activate jobs for (Zeebe multi-tenancy). "
        "Empty: the gateway's default tenant (<default>).",
    )
    worker_stream_enabled: bool = Field(
        True,
        validation_alias="SWITCHBOARD_WORKER_STREAM_ENABLED",
        description="Take jobs through a job stream (StreamActivatedJobs) as Camunda's runtime "
        "does by default, with polling kept as the backstop for jobs the stream missed. false: "
        "polling only.",
    )
    worker_max_jobs_to_activate: int = Field(
        32,
        ge=1,
        le=10_000,
        validation_alias="SWITCHBOARD_WORKER_MAX_JOBS_TO_ACTIVATE",
        description="Most jobs one ActivateJobs request asks for, per connector type.",
    )
    worker_max_running_jobs: int = Field(
        32,
        ge=1,
        le=100_000,
        validation_alias="SWITCHBOARD_WORKER_MAX_RUNNING_JOBS",
        description="Most jobs running at once, per connector type; the worker activates no "
        "more while this many are in flight.",
    )
    worker_job_timeout_seconds: float = Field(
        300.0,
        gt=0,
        validation_alias="SWITCHBOARD_WORKER_JOB_TIMEOUT_SECONDS",
        description="How long an activated job stays locked to this worker before Zeebe hands "
        "it out again (a jobTimeout header overrides it per job).",
    )
    worker_request_timeout_seconds: float = Field(
        20.0,
        gt=0,
        validation_alias="SWITCHBOARD_WORKER_REQUEST_TIMEOUT_SECONDS",
        description="Long-polling time of one ActivateJobs request.",
    )
    worker_poll_interval_seconds: float = Field(
        0.1,
        ge=0,
        validation_alias="SWITCHBOARD_WORKER_POLL_INTERVAL_SECONDS",
        description="Pause after an ActivateJobs request that returned no job.",
    )
    worker_reconnect_max_backoff_seconds: float = Field(
        10.0,
        gt=0,
        validation_alias="SWITCHBOARD_WORKER_RECONNECT_MAX_BACKOFF_SECONDS",
        description="Longest pause between attempts while the gateway is unreachable (the "
        "pause doubles from 0.1 s up to this). The worker retries forever.",
    )
    worker_health_interval_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias="SWITCHBOARD_WORKER_HEALTH_INTERVAL_SECONDS",
        description="How often a Topology request probes the gateway for readiness.",
    )

    @field_validator("zeebe_address")
    @classmethod
    def _check_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected host:port, got {value!r}")
        return value

    # Field validators (not a model validator) so each error names its variable; they rely
    # on the field order above: a validator sees only the fields declared before it.
    @field_validator("zeebe_client_id")
    @classmethod
    def _client_id_for_saas(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value and info.data.get("camunda_cluster_id"):
            raise ValueError("required when CAMUNDA_CLUSTER_ID is set")
        return value or None

    @field_validator("zeebe_client_secret")
    @classmethod
    def _secret_with_id(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("zeebe_client_id"):
            raise ValueError("required when ZEEBE_CLIENT_ID is set")
        return value

    @field_validator("zeebe_authorization_server_url")
    @classmethod
    def _token_url_with_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("zeebe_client_id") and not info.data.get("camunda_cluster_id"):
            if not value:
                raise ValueError("required when ZEEBE_CLIENT_ID is set (outside Camunda SaaS)")
        return value or None

    @property
    def zeebe_enabled(self) -> bool:
        """Whether the worker runs: a gateway address or a SaaS cluster is configured."""
        return bool(self.zeebe_address or self.camunda_cluster_id)
