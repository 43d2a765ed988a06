"""The runtime's vocabulary: a job in, an outcome out, and the record of one execution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from connectors.sdk.context import JobInfo

Source = Literal["zeebe", "camunda-rest", "camunda7", "rest", "cli"]


@dataclass(frozen=True, slots=True)
class Job:
    """An engine-agnostic job: its metadata (what the connector sees as ``context.job``) and
    its variables, as Zeebe's ActivatedJob or a test invocation carries them."""

    info: JobInfo
    variables: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, type: str, variables: Mapping[str, Any] | None = None, **info: Any) -> Job:
        """``Job(JobInfo(type=type, **info), variables)``: the short form for tests and
        embedding (``Job.create("t", {"a": 1}, retries=2)``)."""
        return cls(JobInfo(type=type, **info), {} if variables is None else variables)

    def with_deadline(self, deadline: int) -> Job:
        """The same job with a new deadline (epoch milliseconds)."""
        return Job(replace(self.info, deadline=deadline), self.variables)


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


@dataclass(frozen=True, slots=True)
class ExpressionWarning:
    """A FEEL warning from a ``resultExpression`` or ``errorExpression``: why part of its
    result is null. ``type`` is feel-scala's failure type (``NO_FUNCTION_FOUND``, ...);
    ``span`` the ``(start, end)`` offsets into the header's text; ``message`` may quote job
    data (secrets are masked in the execution record)."""

    expression: Literal["resultExpression", "errorExpression"]
    type: str
    message: str
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "type": self.type,
            "message": self.message,
            "span": list(self.span),
        }


@dataclass(frozen=True)
class ExecutionRecord:
    """One row of execution history: inputs and outputs are already secret-masked."""

    id: str
    source: Source
    connector_type: str
    outcome: Outcome
    job: JobInfo
    input: Any
    output: Any
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float
    retries_before: int
    worker: str = ""
    element_template_id: str | None = None
    element_template_version: str | None = None
    warnings: tuple[ExpressionWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """What ``ConnectorRuntime.execute`` returns.

    ``outcome`` is the command for the engine. ``record`` is the history row; its
    ``outcome`` is the same command with every resolved secret masked, which is what
    API responses and the CLI show.
    """

    outcome: Outcome
    record: ExecutionRecord

    @property
    def masked_outcome(self) -> Outcome:
        return self.record.outcome
