"""Zeebe worker and gateway connection options."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ZeebeSettings(BaseModel):
    zeebe_address: str | None = Field(
        None, validation_alias="ZEEBE_ADDRESS",
        description="Zeebe gateway host:port. Unset: the worker is off.",
    )
