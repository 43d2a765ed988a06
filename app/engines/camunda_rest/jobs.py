"""Translate the REST API's activated job into the runtime's engine-agnostic job."""

from __future__ import annotations

from camunda_orchestration_sdk.models import ActivatedJobResult

from app.runtime.engine import DEFAULT_TENANT
from app.runtime.model import Job
from connectors.sdk.context import JobInfo


def to_runtime_job(job: ActivatedJobResult) -> Job:
    """The runtime's view of one ``ActivatedJobResult`` (keys are strings on the wire)."""
    headers = job.custom_headers.additional_properties
    info = JobInfo(
        type=job.type_,
        custom_headers={str(k): v if isinstance(v, str) else str(v) for k, v in headers.items()},
        retries=job.retries,
        key=int(job.job_key),
        process_instance_key=int(job.process_instance_key),
        bpmn_process_id=str(job.process_definition_id),
        process_definition_key=int(job.process_definition_key),
        process_definition_version=job.process_definition_version,
        element_id=str(job.element_id),
        element_instance_key=int(job.element_instance_key),
        tenant_id=str(job.tenant_id) or DEFAULT_TENANT,
        worker=job.worker,
        deadline=job.deadline,
    )
    return Job(info, job.variables.additional_properties)
