"""Secret provider options."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SecretsSettings(BaseModel):
    secret_env_prefix: str = Field(
        "SECRET_", validation_alias="SWITCHBOARD_SECRETS_ENV_PREFIX",
        description="Prefix of environment variables read by the environment secret provider.",
    )
