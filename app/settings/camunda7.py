"""Camunda 7 / Operaton external-task engine options (``SWITCHBOARD_CAMUNDA7_*``).

The engine runs beside the configured job transport (Zeebe or the Camunda REST API) whenever
``SWITCHBOARD_CAMUNDA7_URL`` is set, so one process serves both.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator


class Camunda7Settings(BaseModel):
    camunda7_url: str | None = Field(
        None,
        validation_alias="SWITCHBOARD_CAMUNDA7_URL",
        description="Base URL of the Camunda 7 / Operaton engine REST API, e.g. "
        "http://localhost:8080/engine-rest. Set: external tasks are fetched for every "
        "connector, beside the Zeebe or REST job transport.",
    )
    camunda7_username: str | None = Field(
        None,
        validate_default=True,
        validation_alias="SWITCHBOARD_CAMUNDA7_USERNAME",
        description="Basic authentication user for the engine REST API. Not together with "
        "SWITCHBOARD_CAMUNDA7_TOKEN.",
    )
    camunda7_password: SecretStr | None = Field(
        None,
        validate_default=True,
        validation_alias="SWITCHBOARD_CAMUNDA7_PASSWORD",
        description="Basic authentication password for the engine REST API. Never logged.",
    )
    camunda7_token: SecretStr | None = Field(
        None,
        validate_default=True,
        validation_alias="SWITCHBOARD_CAMUNDA7_TOKEN",
        description="Bearer token for the engine REST API (sent as Authorization: Bearer). "
        "Never logged.",
    )
    camunda7_worker_id: str = Field(
        "switchboard",
        min_length=1,
        max_length=255,
        validation_alias="SWITCHBOARD_CAMUNDA7_WORKER_ID",
        description="The workerId tasks are locked for (unique per replica if several run).",
    )
    camunda7_lock_duration_ms: int = Field(
        60_000,
        ge=100,
        validation_alias="SWITCHBOARD_CAMUNDA7_LOCK_DURATION",
        description="lockDuration of fetched tasks in milliseconds; a connector still running "
        "when half of it has passed gets its lock extended (extendLock).",
    )
    camunda7_max_tasks: int = Field(
        10,
        ge=1,
        le=1000,
        validation_alias="SWITCHBOARD_CAMUNDA7_MAX_TASKS",
        description="Most tasks locked and running at once (maxTasks of each fetchAndLock).",
    )
    camunda7_default_retries: int = Field(
        3,
        ge=1,
        validation_alias="SWITCHBOARD_CAMUNDA7_DEFAULT_RETRIES",
        description="Retries of a task whose retries are still null (its first failure): "
        "failures count down from this, as Camunda 7's external task clients do.",
    )
    camunda7_async_response_timeout_ms: int = Field(
        20_000,
        ge=0,
        le=1_800_000,
        validation_alias="SWITCHBOARD_CAMUNDA7_ASYNC_RESPONSE_TIMEOUT",
        description="asyncResponseTimeout of fetchAndLock in milliseconds (long polling; 0: "
        "answer at once, and an empty answer waits a second before the next fetch).",
    )
    camunda7_topics: str = Field(
        "",
        validation_alias="SWITCHBOARD_CAMUNDA7_TOPICS",
        description="Topic names that differ from the connector's job type, as "
        "type=topic pairs separated by commas (e.g. io.camunda:http-json:1=http).",
    )
    camunda7_object_type: Literal["Json", "Object"] = Field(
        "Json",
        validation_alias="SWITCHBOARD_CAMUNDA7_OBJECT_TYPE",
        description="How JSON objects and arrays are sent back: Json (Spin JSON) or Object "
        "(serialisationDataFormat application/json, java.util.LinkedHashMap / ArrayList).",
    )

    @field_validator("camunda7_url")
    @classmethod
    def _check_camunda7_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"expected an http(s) URL such as http://localhost:8080/engine-rest, got {value!r}"
            )
        return value

    @field_validator("camunda7_username")
    @classmethod
    def _camunda7_user(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    @field_validator("camunda7_password")
    @classmethod
    def _camunda7_password(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            value = None
        if value is None and info.data.get("camunda7_username"):
            raise ValueError("required when SWITCHBOARD_CAMUNDA7_USERNAME is set")
        return value

    @field_validator("camunda7_token")
    @classmethod
    def _camunda7_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            value = None
        if value is not None and info.data.get("camunda7_username"):
            raise ValueError(
                "not together with SWITCHBOARD_CAMUNDA7_USERNAME: choose Basic or a bearer token"
            )
        return value

    @field_validator("camunda7_topics")
    @classmethod
    def _camunda7_topics(cls, value: str) -> str:
        topic_overrides(value)  # raises ValueError naming the bad pair
        return value

    def camunda7_topic_overrides(self) -> dict[str, str]:
        """Connector type -> topic name, from SWITCHBOARD_CAMUNDA7_TOPICS."""
        return topic_overrides(self.camunda7_topics)


def topic_overrides(text: str) -> dict[str, str]:
    """Parse ``type=topic,type=topic``; raises ValueError for a pair without both sides."""
    pairs: dict[str, str] = {}
    for raw in text.split(","):
        if not raw.strip():
            continue
        job_type, sep, topic = raw.rpartition("=")
        job_type, topic = job_type.strip(), topic.strip()
        if not sep or not job_type or not topic:
            raise ValueError(f"expected type=topic pairs separated by commas, got {raw.strip()!r}")
        pairs[job_type] = topic
    return pairs
