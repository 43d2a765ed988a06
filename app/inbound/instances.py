"""The tokens waiting at an inbound connector element, for connectors that work per process
instance (HTTP polling), as Camunda's ``InboundIntermediateConnectorContext`` offers them.

Camunda's runtime (camunda/connectors ``connector-runtime-core/.../inbound/
InboundIntermediateConnectorContextImpl.java``, ``DefaultProcessInstanceContext.java``, and
``connector-runtime-spring/.../inbound/search/SearchQueryClientImpl.java``) asks the
Orchestration Cluster for the ACTIVE element instances of each element (``processDefinitionKey``
and ``elementId``; a boundary event: the activity it is attached to), binds the element's
properties with FEEL evaluated in that element instance's scope, and correlates with the
message id ``elementId + elementInstanceKey``. An :class:`ElementInstanceSource` (the REST
engine's, ``app.engines.camunda_rest.element_instances``) answers the two questions; Zeebe's
gRPC API has neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from connectors.sdk.errors import ConnectorError
from connectors.sdk.inbound import CorrelationResult, InboundElement

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ActiveElementInstance:
    """One ACTIVE element instance (a token) at an element."""

    element_instance_key: int
    process_instance_key: int
    element_id: str
    tenant_id: str


class ElementInstanceSource(Protocol):
    """Where the waiting tokens and their variables come from."""

    async def active_element_instances(
        self, process_definition_key: int, element_id: str
    ) -> list[ActiveElementInstance]:
        """Every ACTIVE element instance of ``element_id`` in that definition (all pages)."""
        ...

    async def variables(self, instance: ActiveElementInstance) -> dict[str, Any]:
        """The variables visible to the element instance: the process instance's, with the
        element instance's own over them."""
        ...


class Correlate(Protocol):
    """The executable's correlation (``RuntimeContext.correlate``)."""

    async def __call__(
        self, variables: Mapping[str, Any], *, message_id: str | None = None
    ) -> CorrelationResult: ...


class InstanceContext:
    """:class:`~connectors.sdk.inbound.ProcessInstanceContext` for one waiting token."""

    def __init__(
        self,
        *,
        element: InboundElement,
        instance: ActiveElementInstance,
        source: ElementInstanceSource,
        bind: Callable[[type[Any], Mapping[str, Any]], Any],
        correlate: Correlate,
    ) -> None:
        self._element = element
        self._instance = instance
        self._source = source
        self._bind = bind
        self._correlate = correlate

    @property
    def key(self) -> int:
        return self._instance.process_instance_key

    @property
    def element_instance_key(self) -> int:
        return self._instance.element_instance_key

    @property
    def element(self) -> InboundElement:
        return self._element

    def task_key(self, prefix: str = "") -> str:
        return f"{prefix}{self.key}:{self.element_instance_key}"

    async def bind(self, model: type[M]) -> M:
        try:
            variables = await self._source.variables(self._instance)
        except Exception as exc:
            raise ConnectorError(
                "PROCESS_INSTANCE_VARIABLES_UNAVAILABLE",
                f"the variables of process instance {self.key} could not be read: "
                f"{type(exc).__name__}: {str(exc)[:300]}",
            ) from None
        bound: M = self._bind(model, variables)
        return bound

    async def correlate(self, variables: Mapping[str, Any]) -> CorrelationResult:
        # DefaultProcessInstanceContext.correlate: elementId + elementInstanceKey, no separator.
        message_id = f"{self._element.element_id}{self.element_instance_key}"
        return await self._correlate(variables, message_id=message_id)

    def __repr__(self) -> str:
        return (
            f"InstanceContext(element={self._element.element_id!r}, "
            f"processInstanceKey={self.key}, elementInstanceKey={self.element_instance_key})"
        )
