"""Runtime (job execution) and execution-history options."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RuntimeSettings(BaseModel):
    sync_pool_size: int = Field(
        16, ge=1, le=1024, validation_alias="SWITCHBOARD_SYNC_POOL_SIZE",
        description="Threads for synchronous connector functions and blocking client calls.",
    )
