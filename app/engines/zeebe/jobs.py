"""Translate between pyzeebe's job and the runtime's engine-agnostic job."""

from __future__ import annotations

from pyzeebe import Job as ZeebeJob

from app.runtime.model import Job
from connectors.sdk.context import JobInfo


def to_runtime_job(job: ZeebeJob) -> Job:
    """The runtime's view of an activated Zeebe job."""
    info = JobInfo(
        type=job.type,
        custom_headers={str(k): v for k, v in job.custom_headers.items()},
        retries=job.retries,
        key=job.key,
        process_instance_key=job.process_instance_key,
        bpmn_process_id=job.bpmn_process_id,
        process_definition_key=job.process_definition_key,
        process_definition_version=job.process_definition_version,
        element_id=job.element_id,
        element_instance_key=job.element_instance_key,
        tenant_id=job.tenant_id or "<default>",
        worker=job.worker,
        deadline=job.deadline,
    )
    return Job(info, dict(job.variables))
