"""A locked external task (``LockedExternalTaskDto``) as the runtime's engine-agnostic job.

Camunda 7 ids are strings (numbers with the default id generator, UUIDs with the strong one):
a numeric id becomes the job key, any other leaves it 0 (logs name the task id). The
connector headers are the task's extension properties (``camunda:property``, fetched with
``includeExtensionProperties``). A task whose ``retries`` are still null (never failed) gets
the ``retries`` extension property or the configured default: failures then count down from
there, the convention of Camunda 7's external task clients and docs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.engines.camunda7.variables import from_camunda
from app.runtime.engine import DEFAULT_TENANT
from app.runtime.model import Job
from connectors.sdk.context import JobInfo

RETRIES_PROPERTY = "retries"


def task_id(raw: Mapping[str, Any]) -> str:
    return str(raw.get("id") or "")


def initial_retries(raw: Mapping[str, Any], default: int) -> int:
    """The task's retries, or (null: never failed) the ``retries`` property or ``default``."""
    retries = raw.get("retries")
    if isinstance(retries, int) and not isinstance(retries, bool):
        return retries
    configured = _properties(raw).get(RETRIES_PROPERTY, "").strip()
    if configured.isdigit():
        return int(configured)
    return default


def to_job(
    raw: Mapping[str, Any],
    job_type: str,
    *,
    worker_id: str,
    default_retries: int,
    deadline_ms: int = 0,
) -> Job:
    """The runtime's job; raises :class:`VariableError` for a variable it cannot read."""
    definition_id = str(raw.get("processDefinitionId") or "")
    info = JobInfo(
        type=job_type,
        custom_headers=_properties(raw),
        retries=initial_retries(raw, default_retries),
        key=_number(task_id(raw)),
        process_instance_key=_number(raw.get("processInstanceId")),
        bpmn_process_id=str(raw.get("processDefinitionKey") or ""),
        process_definition_version=_version(definition_id),
        element_id=str(raw.get("activityId") or ""),
        tenant_id=str(raw.get("tenantId") or "") or DEFAULT_TENANT,
        worker=worker_id,
        deadline=deadline_ms,
    )
    return Job(info, from_camunda(raw.get("variables")))


def _properties(raw: Mapping[str, Any]) -> dict[str, str]:
    props = raw.get("extensionProperties") or {}
    if not isinstance(props, Mapping):
        return {}
    return {str(k): v if isinstance(v, str) else str(v) for k, v in props.items()}


def _number(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _version(definition_id: str) -> int:
    # processDefinitionId is "<key>:<version>:<id>" for deployed definitions.
    parts = definition_id.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0
