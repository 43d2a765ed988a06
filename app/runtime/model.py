"""The runtime's vocabulary: a job in, an outcome out, and the record of one execution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["zeebe", "rest", "cli"]


@dataclass(frozen=True)
class Job:
    """An engine-agnostic job: what Zeebe's ActivatedJob or a test invocation carries."""

    type: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    custom_headers: Mapping[str, str] = field(default_factory=dict)
    retries: int = 3
    key: int = 0
    process_instance_key: int = 0
    bpmn_process_id: str = ""
    process_definition_key: int = 0
    process_definition_version: int = 0
    element_id: str = ""
    element_instance_key: int = 0
    tenant_id: str = "<default>"
    worker: str = ""
    deadline: int = 0  # epoch milliseconds; 0 = unknown


@dataclass(frozen=True)
class Complete:
    """Complete the job with these variables."""

    variables: dict[str, Any] = field(default_factory=dict)
    command: Literal["complete"] = "complete"


@dataclass(frozen=True)
class Fail:
    """Fail the job: Zeebe sets ``retries`` and waits ``backoff_ms`` before retrying."""

    message: str
    retries: int
    backoff_ms: int = 0
    variables: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None
    command: Literal["fail"] = "fail"


@dataclass(frozen=True)
class ThrowError:
    """Throw a BPMN error with ``code`` (caught by an error boundary event)."""

    code: str
    message: str = ""
    variables: dict[str, Any] = field(default_factory=dict)
    command: Literal["throw_error"] = "throw_error"


Outcome = Complete | Fail | ThrowError


@dataclass(frozen=True)
class ExecutionRecord:
    """One row of execution history: inputs and outputs are already secret-masked."""

    id: str
    source: Source
    connector_type: str
    outcome: Outcome
    job: Job
    input: Any
    output: Any
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float
    retries_before: int
    worker: str = ""
    element_template_id: str | None = None
    element_template_version: str | None = None
