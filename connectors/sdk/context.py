"""What a connector function can see of the job it runs for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from connectors.sdk.binding import bind

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class JobInfo:
    """Metadata of the Zeebe job (or test invocation) being executed."""

    key: int = 0
    type: str = ""
    process_instance_key: int = 0
    bpmn_process_id: str = ""
    process_definition_key: int = 0
    process_definition_version: int = 0
    element_id: str = ""
    element_instance_key: int = 0
    tenant_id: str = "<default>"
    retries: int = 3
    custom_headers: Mapping[str, str] = field(default_factory=dict)
    worker: str = ""
    deadline: int = 0


@dataclass(frozen=True)
class OutboundContext:
    """Passed to a connector function that asks for it (a parameter annotated
    ``OutboundContext``). ``variables`` already have their secret placeholders replaced."""

    job: JobInfo
    variables: Mapping[str, Any]

    def bind(self, model: type[M]) -> M:
        """Validate the job variables into ``model``; raises ``ConnectorInputError``."""
        return bind(model, self.variables)
