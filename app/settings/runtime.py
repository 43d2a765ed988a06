"""Runtime (job execution) and execution-history options."""

from __future__ import annotations

from pydantic import BaseModel, Field

MIB = 1024 * 1024


class RuntimeSettings(BaseModel):
    sync_pool_size: int = Field(
        16,
        ge=1,
        le=1024,
        validation_alias="SWITCHBOARD_SYNC_POOL_SIZE",
        description="Threads for synchronous connector functions and blocking client calls.",
    )
    connector_timeout_seconds: float = Field(
        0,
        ge=0,
        validation_alias="SWITCHBOARD_CONNECTOR_TIMEOUT_SECONDS",
        description="Timeout of a connector call when the connector declares none "
        "(0 = no timeout). A timed-out job fails with retries - 1.",
    )
    feel_max_steps: int = Field(
        3_000_000,
        ge=1000,
        validation_alias="SWITCHBOARD_FEEL_MAX_STEPS",
        description="Iteration budget of one FEEL evaluation (loop items, filter items, list "
        "built-ins, user-defined function calls); past it the evaluation fails. The default "
        "lets a million-element `for` run.",
    )
    feel_max_list_length: int = Field(
        2_000_000,
        ge=1000,
        validation_alias="SWITCHBOARD_FEEL_MAX_LIST_LENGTH",
        description="Longest list or range a FEEL evaluation may build.",
    )
    feel_timeout_seconds: float = Field(
        2.0,
        gt=0,
        validation_alias="SWITCHBOARD_FEEL_TIMEOUT_SECONDS",
        description="Wall-clock limit of one FEEL evaluation; past it the evaluation fails "
        "(a job fails as on any failing expression).",
    )
    feel_inline_steps: int = Field(
        5_000,
        ge=0,
        validation_alias="SWITCHBOARD_FEEL_INLINE_STEPS",
        description="Iterations a FEEL evaluation may take on the event loop (about 3 ms "
        "here); an expression needing more is evaluated again in the FEEL thread pool, so a "
        "long one never stalls other jobs or health checks. 0: every evaluation in the pool.",
    )
    feel_pool_size: int = Field(
        2,
        ge=1,
        le=64,
        validation_alias="SWITCHBOARD_FEEL_POOL_SIZE",
        description="Threads evaluating the FEEL expressions that outgrow "
        "`SWITCHBOARD_FEEL_INLINE_STEPS`; more such evaluations wait for a free thread.",
    )
    max_input_variables_bytes: int = Field(
        4 * MIB,
        ge=1024,
        validation_alias="SWITCHBOARD_MAX_INPUT_VARIABLES_BYTES",
        description="Largest job input (variables as compact UTF-8 JSON) a connector is run "
        "with; larger inputs fail with retries 0.",
    )
    max_output_variables_bytes: int = Field(
        3 * MIB // 2,
        ge=1024,
        validation_alias="SWITCHBOARD_MAX_OUTPUT_VARIABLES_BYTES",
        description="Largest variables payload a job is completed (or a BPMN error thrown) "
        "with; larger ones fail with retries 0. Default 1.5 MiB, Camunda's safe limit.",
    )
    history_max_payload_bytes: int = Field(
        64 * 1024,
        ge=256,
        validation_alias="SWITCHBOARD_HISTORY_MAX_PAYLOAD_BYTES",
        description="Execution history keeps input and output JSON up to this size; larger "
        "ones are replaced by a truncation marker with a prefix of the JSON.",
    )
    history_queue_size: int = Field(
        10_000,
        ge=1,
        validation_alias="SWITCHBOARD_HISTORY_QUEUE_SIZE",
        description="Execution records waiting to be written; when full, new records are "
        "dropped and counted.",
    )
    history_batch_size: int = Field(
        500,
        ge=1,
        le=10_000,
        validation_alias="SWITCHBOARD_HISTORY_BATCH_SIZE",
        description="Most execution records written by one INSERT.",
    )
    history_flush_interval_seconds: float = Field(
        0.5,
        gt=0,
        le=60,
        validation_alias="SWITCHBOARD_HISTORY_FLUSH_INTERVAL_SECONDS",
        description="Longest time a record waits before its batch is written.",
    )
    history_retry_max_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias="SWITCHBOARD_HISTORY_RETRY_MAX_SECONDS",
        description="Longest wait between attempts to write a batch while the database "
        "is unavailable (the wait doubles from 0.1 s up to this).",
    )
    history_retention_days: int = Field(
        30,
        ge=0,
        validation_alias="SWITCHBOARD_HISTORY_RETENTION_DAYS",
        description="Delete execution records older than this many days (0 = keep forever).",
    )
    history_cleanup_interval_seconds: float = Field(
        3600.0,
        gt=0,
        validation_alias="SWITCHBOARD_HISTORY_CLEANUP_INTERVAL_SECONDS",
        description="How often the retention cleanup runs.",
    )
    connector_control_refresh_seconds: float = Field(
        2.0,
        gt=0,
        le=300,
        validation_alias="SWITCHBOARD_CONNECTOR_CONTROL_REFRESH_SECONDS",
        description="How often each replica re-reads which connectors are paused (a pause "
        "made through another replica is honoured within this time; the replica that took "
        "the request applies it at once).",
    )
