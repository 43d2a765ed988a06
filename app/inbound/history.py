"""The execution-history record of one inbound event (a webhook request or a correlation).

Written to the same ``executions`` table as jobs, with ``direction = inbound``; the database
writer (``app.db.history``) accepts both kinds of record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

InboundOutcome = Literal[
    "correlated",  # an instance was created or a message published
    "duplicate",  # the message id is still buffered: not correlated again
    "unmatched",  # no activation condition held
    "verified",  # a verification expression answered; nothing correlated
    "rejected",  # refused before correlation (method, auth, signature, size, body, path)
    "failed",  # the correlation failed (engine refusal, expression error)
]
InboundSource = Literal["webhook", "inbound"]


@dataclass(frozen=True)
class InboundRecord:
    """One inbound execution row; ``input`` / ``output`` are already masked and capped."""

    id: str
    source: InboundSource
    connector_type: str
    outcome: InboundOutcome
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float
    input: Any = None
    output: Any = None
    http_status: int | None = None
    inbound_context: str | None = None
    bpmn_process_id: str | None = None
    process_definition_key: int | None = None
    process_definition_version: int | None = None
    element_id: str | None = None
    tenant_id: str | None = None
    process_instance_key: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    element_template_id: str | None = None
    element_template_version: str | None = None
    worker: str = ""


@runtime_checkable
class InboundHistorySink(Protocol):
    """Receives inbound records; must never block and never raise."""

    def submit(self, record: Any) -> None: ...
