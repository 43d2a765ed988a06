"""Options of the RabbitMQ connector's connection pool.

The connector reads these variables itself (``connectors/rabbitmq/config.py``, which must not
import ``app``); this mirror puts them in the configuration reference and validates them at
startup (tests/rabbitmq/test_config.py checks both lists agree). Camunda has no such
options: it opens one connection per job.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class RabbitMqSettings(BaseModel):
    rabbitmq_max_connections: int = Field(
        16,
        gt=0,
        validation_alias="SWITCHBOARD_RABBITMQ_MAX_CONNECTIONS",
        description="Most RabbitMQ connections the connector keeps open (one per distinct "
        "broker, virtual host and login); the least recently used idle one is closed for a "
        "new target.",
    )
    rabbitmq_channels_per_connection: int = Field(
        32,
        gt=0,
        validation_alias="SWITCHBOARD_RABBITMQ_CHANNELS_PER_CONNECTION",
        description="Most channels (concurrent publishes) on one RabbitMQ connection; more "
        "jobs for the same target wait for a free one.",
    )
    rabbitmq_connect_timeout_seconds: float = Field(
        20.0,
        gt=0,
        validation_alias="SWITCHBOARD_RABBITMQ_CONNECT_TIMEOUT_SECONDS",
        description="Seconds to open a RabbitMQ connection or channel (a URI's "
        "connection_timeout option wins), and to wait for a pooled connection.",
    )
    rabbitmq_publish_timeout_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias="SWITCHBOARD_RABBITMQ_PUBLISH_TIMEOUT_SECONDS",
        description="Seconds to wait for the broker's publisher confirmation of a RabbitMQ "
        "message before the job fails (the message may then have been published).",
    )
