"""Translate Zeebe's ActivatedJob (the gateway's message) into the runtime's job."""

from __future__ import annotations

import json

from pyzeebe.proto import gateway_pb2 as pb

from app.runtime.model import Job
from connectors.sdk.context import JobInfo


def from_activated(raw: pb.ActivatedJob) -> Job:
    """The runtime's view of an activated Zeebe job, straight from the gateway's message
    (one JSON decode each for the variables and the headers, no intermediate objects)."""
    headers = json.loads(raw.customHeaders) if raw.customHeaders else {}
    info = JobInfo(
        type=raw.type,
        custom_headers={str(k): v for k, v in headers.items()},
        retries=raw.retries,
        key=raw.key,
        process_instance_key=raw.processInstanceKey,
        bpmn_process_id=raw.bpmnProcessId,
        process_definition_key=raw.processDefinitionKey,
        process_definition_version=raw.processDefinitionVersion,
        element_id=raw.elementId,
        element_instance_key=raw.elementInstanceKey,
        tenant_id=raw.tenantId or "<default>",
        worker=raw.worker,
        deadline=raw.deadline,
    )
    return Job(info, json.loads(raw.variables) if raw.variables else {})
