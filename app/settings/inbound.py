"""Inbound connector options: webhooks, correlation and registration polling."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

MIB = 1024 * 1024
# A non-negative ISO-8601 duration in java.time.Duration's form (PnDTnHnMn.nS).
_DURATION = re.compile(
    r"P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d{0,9})?S)?)?",
    re.IGNORECASE,
)


class InboundSettings(BaseModel):
    inbound_poll_interval_seconds: float = Field(
        5.0,
        gt=0,
        le=3600,
        validation_alias="SWITCHBOARD_INBOUND_POLL_INTERVAL",
        description="Seconds between checks for inbound registrations changed by another "
        "replica (or `switchboard deploy`) and polls of the discovery sources. Default 5, "
        "as Camunda's `camunda.connector.polling.interval` (5000 ms).",
    )
    inbound_max_body_bytes: int = Field(
        4 * MIB,
        ge=1024,
        validation_alias="SWITCHBOARD_INBOUND_MAX_BODY_BYTES",
        description="Largest webhook request body read; a larger one is answered 413 as soon "
        "as its Content-Length or the bytes received exceed it, without reading the rest.",
    )
    inbound_message_ttl: str = Field(
        "PT1H",
        validation_alias="SWITCHBOARD_INBOUND_MESSAGE_TTL",
        description="Time to live of published messages when an element sets no messageTtl "
        "(ISO-8601 duration), as Camunda's `camunda.connector.inbound.message.ttl`.",
    )
    inbound_sync_timeout_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias="SWITCHBOARD_INBOUND_SYNC_TIMEOUT_SECONDS",
        description="How long a webhook with synchronousResponse waits for its process "
        "instance to complete.",
    )

    @field_validator("inbound_message_ttl")
    @classmethod
    def _check_ttl(cls, value: str) -> str:
        if not _DURATION.fullmatch(value.strip()):
            raise ValueError("not a non-negative ISO-8601 duration such as PT1H or PT30S")
        return value.strip()
