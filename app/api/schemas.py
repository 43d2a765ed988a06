"""Request and response bodies of the REST API (camelCase on the wire)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from app.db.executions_repo import utc
from app.db.models import ExecutionRow

Command = Literal["complete", "fail", "throw_error"]
InboundOutcomeName = Literal[
    "correlated", "duplicate", "unmatched", "verified", "rejected", "failed"
]
AnyOutcome = Literal[
    "complete",
    "fail",
    "throw_error",
    "correlated",
    "duplicate",
    "unmatched",
    "verified",
    "rejected",
    "failed",
]
SourceName = Literal["zeebe", "camunda-rest", "camunda7", "rest", "cli", "webhook", "inbound"]
DirectionName = Literal["outbound", "inbound"]
RoleName = Literal["viewer", "operator", "admin"]


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ConnectorSummary(ApiModel):
    """A discovered connector (or one that is disabled or failed to load)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "switchboard:echo:1",
                    "name": "Echo",
                    "version": 1,
                    "source": "entry point echo = connectors.echo:echo",
                    "state": "enabled",
                    "reason": None,
                    "timeout": None,
                    "inputVariables": [],
                    "paused": False,
                }
            ]
        }
    )

    type: str | None = Field(description="Job type; null when the connector failed to load.")
    name: str
    version: int | None
    source: str = Field(description="Where it was discovered (entry point or env variable).")
    state: Literal["enabled", "disabled", "failed"]
    reason: str | None = Field(description="Why it is disabled or failed.")
    timeout: float | None = Field(description="Timeout in seconds; null: the default.")
    input_variables: list[str] = Field(
        description="Variables fetched from the job; empty: all variables."
    )
    direction: Literal["outbound"] = "outbound"
    paused: bool = Field(
        False,
        description="True when an operator paused the connector's workers "
        "(`POST /api/v1/connectors/{type}/pause`): no replica takes its jobs until resumed.",
    )


class ConnectorDetail(ConnectorSummary):
    """A connector with its input schema."""

    description: str | None
    template_id: str | None = Field(description="Element template id.")
    input_schema: dict[str, Any] | None = Field(
        description="JSON Schema of the input variables; null when the connector takes none."
    )
    element_template_url: str | None = Field(
        description="Where to download the element template (enabled connectors only)."
    )


class InvokeRequest(ApiModel):
    """A test invocation: the job variables, custom headers and retries."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "variables": {"message": "hello"},
                    "headers": {"resultVariable": "echoed"},
                    "retries": 3,
                }
            ]
        },
    )

    variables: dict[str, Any] = Field(
        default_factory=dict, description="Job variables (placeholders like {{secrets.X}} work)."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Task headers: resultVariable, resultExpression, errorExpression, "
        "retryBackoff, ...",
    )
    retries: int = Field(default=3, ge=0, le=1_000_000, description="The job's retries.")


class ExpressionWarningOut(BaseModel):
    """A FEEL warning; ``type`` is feel-scala's failure type."""

    expression: Literal["resultExpression", "errorExpression"]
    type: str = Field(examples=["NO_FUNCTION_FOUND"])
    message: str
    span: tuple[int, int] = Field(
        description="Start and end offsets of the culprit in the header's expression text."
    )


class InvokeResponse(ApiModel):
    """The outcome the worker would send to Zeebe, with the execution's id and duration."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "command": "complete",
                    "variables": {"echoed": {"message": "hello"}},
                    "executionId": "0b7f5f8e-52a5-4a55-9a77-5a3f1c1b8f10",
                    "durationMs": 1.7,
                },
                {
                    "command": "fail",
                    "variables": {},
                    "errorCode": "BOOM",
                    "errorMessage": "echo failed with BOOM",
                    "retries": 2,
                    "backoffMs": 0,
                    "executionId": "2d1c8cf4-4b55-4a41-8d7c-3b93f8f0e0c1",
                    "durationMs": 2.3,
                },
            ]
        },
    )

    command: Command
    variables: dict[str, Any] = Field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    retries: int | None = None
    backoff_ms: int | None = None
    execution_id: str
    duration_ms: float
    warnings: list[ExpressionWarningOut] = Field(
        default_factory=list,
        description="FEEL warnings of the result and error expressions (see the execution).",
    )


class ExecutionSummary(ApiModel):
    """One execution of a connector (inputs and outputs left out): a job (direction
    outbound) or an inbound event (direction inbound: a webhook request or a correlation)."""

    id: str
    source: SourceName
    direction: DirectionName = "outbound"
    connector_type: str
    command: AnyOutcome = Field(
        description="Outbound: the command sent for the job. Inbound: the outcome (correlated, "
        "duplicate, unmatched, verified, rejected, failed)."
    )
    http_status: int | None = Field(None, description="Inbound webhooks: the HTTP status sent.")
    inbound_context: str | None = Field(None, description="Inbound webhooks: the path.")
    process_definition_key: int | None = None
    process_definition_version: int | None = None
    error_code: str | None
    error_message: str | None
    job_key: int | None
    process_instance_key: int | None
    bpmn_process_id: str | None
    element_id: str | None
    tenant_id: str | None
    element_template_id: str | None
    element_template_version: str | None
    retries_before: int | None
    retries_after: int | None
    backoff_ms: int | None
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float
    worker: str | None

    @classmethod
    def from_row(cls, row: ExecutionRow) -> ExecutionSummary:
        return cls.model_validate(_row_values(row, cls))


class ExecutionDetail(ExecutionSummary):
    """One execution with its (secret-masked) input and output."""

    input: Any = Field(description="The job variables the connector saw, secrets masked.")
    output: Any = Field(description="The connector's response or the outcome's variables.")
    warnings: list[ExpressionWarningOut] = Field(
        default_factory=list,
        description="FEEL warnings of the result and error expressions: why part of a result "
        "is null (e.g. NO_FUNCTION_FOUND for a misspelt function), with the span of the "
        "expression text that caused it.",
    )

    @classmethod
    def from_row(cls, row: ExecutionRow) -> ExecutionDetail:
        values = _row_values(row, cls)
        values["warnings"] = values.get("warnings") or []
        return cls.model_validate(values)


def _row_values(row: ExecutionRow, model: type[BaseModel]) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in model.model_fields}
    values["started_at"] = utc(row.started_at)
    values["finished_at"] = utc(row.finished_at)
    return values


class ExecutionPage(ApiModel):
    """A page of executions, newest first."""

    items: list[ExecutionSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class DurationPercentiles(BaseModel):
    p50: float | None = Field(description="Median duration in milliseconds.")
    p95: float | None
    p99: float | None


class ConnectorStatsOut(ApiModel):
    connector_type: str
    total: int
    commands: dict[str, int] = Field(
        description="Executions by outcome command (complete, fail, throw_error)."
    )
    duration_ms: DurationPercentiles


class StatsResponse(ApiModel):
    """Per-connector execution counts and duration percentiles over a time window."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "since": "2026-11-27T16:00:00Z",
                    "until": "2026-11-27T17:00:00Z",
                    "windowMinutes": 60,
                    "connectors": [
                        {
                            "connectorType": "switchboard:echo:1",
                            "total": 12,
                            "commands": {"complete": 10, "fail": 2, "throw_error": 0},
                            "durationMs": {"p50": 1.2, "p95": 3.4, "p99": 4.8},
                        }
                    ],
                }
            ]
        }
    )

    since: dt.datetime
    until: dt.datetime
    window_minutes: int
    connectors: list[ConnectorStatsOut]


class ApiKeyOut(ApiModel):
    """An API key's description; the key itself is shown only when it is created."""

    id: str
    name: str
    role: RoleName
    prefix: str = Field(description="The key's first characters, to recognise it.")
    origin: str = Field(description="cli, api, ui, environment or local")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f\s][^\x00-\x1f\x7f]*$"


class ApiKeyCreate(ApiModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "ci", "role": "operator"}]}
    )

    name: str = Field(
        min_length=1,
        max_length=255,
        description="A name people recognise the key by: printable characters, not only spaces.",
        # Documents the rule for clients; the validator below words the refusal.
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    role: RoleName

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        for index, char in enumerate(value):
            if ord(char) < 0x20 or ord(char) == 0x7F:
                raise ValueError(
                    f"must be printable text: control character U+{ord(char):04X} at "
                    f"position {index}"
                )
        if not value.strip():
            raise ValueError("must contain a visible character, not only spaces")
        return value


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The API key. Shown once: store it now.")


class InboundActivity(ApiModel):
    at: dt.datetime
    severity: str
    tag: str
    message: str


class InboundElementOut(ApiModel):
    """An inbound connector element and the executable serving it on this replica."""

    bpmn_process_id: str
    version: int
    process_definition_key: int
    element_id: str
    kind: str = Field(
        description="start_event, message_start_event, intermediate_catch_event, "
        "boundary_event or receive_task"
    )
    type: str = Field(description="The inbound connector type (inbound.type)")
    webhook_path: str | None = Field(description="/inbound/{context} for webhooks")
    state: Literal["active", "standby", "failed", "cancelled"]
    error: str | None
    tenant_id: str | None
    element_name: str | None
    message_name: str | None
    executable_id: str | None
    health: dict[str, Any] | None
    last_activity: str | None = Field(description="Newest inbound execution (ISO 8601)")
    activity: list[InboundActivity]


class DeployedProcessOut(ApiModel):
    bpmn_process_id: str
    version: int
    process_definition_key: int
    resource_name: str
    tenant_id: str


class RegisteredElementOut(ApiModel):
    bpmn_process_id: str
    version: int
    process_definition_key: int
    element_id: str
    kind: str
    type: str
    webhook_path: str | None
    state: Literal["active", "standby", "failed", "cancelled"]
    error: str | None


class DeploymentResponse(ApiModel):
    """What the engine deployed and which inbound elements were registered."""

    key: int
    tenant_id: str
    processes: list[DeployedProcessOut]
    inbound_elements: list[RegisteredElementOut]


class ConnectorControl(ApiModel):
    """A connector type's control state after a pause or resume."""

    type: str
    paused: bool = Field(description="True: no replica takes the connector's jobs.")


class InboundConnectorSummary(ApiModel):
    """An inbound connector type this process can run."""

    type: str = Field(description="The connector's type (`inbound.type` of an element).")
    name: str
    version: int
    direction: Literal["inbound"] = "inbound"
    state: Literal["enabled"] = "enabled"
    reason: None = None
    source: str = Field(description="Where it was discovered (entry point or class).")
    webhook: bool = Field(description="True when it serves HTTP requests at /inbound/{context}.")
    element_kinds: list[str] = Field(description="The BPMN element kinds it serves.")
    template_ids: dict[str, str] = Field(description="Element template id per element kind.")
    element_templates_url: str
