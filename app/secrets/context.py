"""The scope a secret is resolved in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DEFAULT_TENANT = "<default>"


class JobLike(Protocol):
    """What secret resolution reads from a job (structurally, e.g. ``app.runtime.model.Job``)."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def bpmn_process_id(self) -> str: ...


@dataclass(frozen=True)
class SecretContext:
    """Tenant and BPMN process id of the job a secret is resolved for."""

    tenant_id: str = DEFAULT_TENANT
    process_id: str = ""

    @classmethod
    def of(cls, job: JobLike) -> SecretContext:
        return cls(tenant_id=job.tenant_id or DEFAULT_TENANT, process_id=job.bpmn_process_id or "")
