"""The element instances waiting at an inbound element, and their variables, over the
Orchestration Cluster REST API (for connectors that work per process instance: HTTP polling).

Camunda's connector runtime asks ``POST /v2/element-instances/search`` with
``filter = {processDefinitionKey, elementId, state: ACTIVE}``, paging with ``page.after`` =
the previous ``endCursor`` until a page comes back empty (camunda/connectors
``connector-runtime-spring/.../inbound/search/SearchQueryClientImpl.queryActiveFlowNodes`` and
``ProcessInstanceClientImpl``). Its FEEL then runs in the cluster with the element instance as
scope; Switchboard evaluates locally, over the variables of ``POST /v2/variables/search``
(``filter.processInstanceKey``, ``truncateValues=false``: whole values): those of the process
instance's scope, with the element instance's own over them. Variables of scopes in between
(an embedded subprocess) are not seen: docs/inbound.md says so.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from camunda_orchestration_sdk import CamundaAsyncClient
from camunda_orchestration_sdk.models import (
    CursorBasedForwardPagination,
    ElementInstanceSearchQuery,
    ElementInstanceSearchQueryFilter,
    ElementInstanceStateExactMatch,
    VariableSearchQuery,
    VariableSearchQueryFilter,
)

from app.engines.camunda_rest.paging import Search, forward_pages
from app.inbound.instances import ActiveElementInstance
from app.runtime.engine import DEFAULT_TENANT

PAGE_SIZE = 100
MAX_PAGES = 1_000  # a bound on a misbehaving server's cursor loop


class RestElementInstanceSource:
    """:class:`app.inbound.instances.ElementInstanceSource` over the REST API (module doc)."""

    def __init__(self, client: CamundaAsyncClient, *, page_size: int = PAGE_SIZE) -> None:
        if not 1 <= page_size <= 10_000:
            raise ValueError("page_size must be between 1 and 10000")
        self._client = client
        self._page_size = page_size

    async def active_element_instances(
        self, process_definition_key: int, element_id: str
    ) -> list[ActiveElementInstance]:
        filters = ElementInstanceSearchQueryFilter(
            process_definition_key=str(process_definition_key),  # type: ignore[arg-type]
            element_id=element_id,
            state=ElementInstanceStateExactMatch.ACTIVE,
        )

        async def search(page: CursorBasedForwardPagination) -> Any:
            query = ElementInstanceSearchQuery(filter_=filters, page=page)
            return await self._client.search_element_instances(data=query)

        found: list[ActiveElementInstance] = []
        async for items in self._pages(search, "SearchElementInstances"):
            found.extend(
                ActiveElementInstance(
                    element_instance_key=int(item.element_instance_key),
                    process_instance_key=int(item.process_instance_key),
                    element_id=str(item.element_id),
                    tenant_id=str(item.tenant_id) or DEFAULT_TENANT,
                )
                for item in items
            )
        return found

    async def variables(self, instance: ActiveElementInstance) -> dict[str, Any]:
        scopes: dict[int, dict[str, Any]] = {
            instance.process_instance_key: {},
            instance.element_instance_key: {},
        }
        filters = VariableSearchQueryFilter(process_instance_key=str(instance.process_instance_key))

        async def search(page: CursorBasedForwardPagination) -> Any:
            query = VariableSearchQuery(filter_=filters, page=page)
            return await self._client.search_variables(data=query, truncate_values=False)

        async for items in self._pages(search, "SearchVariables"):
            for item in items:
                scope = scopes.get(int(item.scope_key))
                if scope is not None:
                    scope[str(item.name)] = _value(str(item.value))
        return {
            **scopes[instance.process_instance_key],
            **scopes[instance.element_instance_key],
        }

    def _pages(self, search: Search, command: str) -> AsyncIterator[list[Any]]:
        return forward_pages(
            search, command=command, page_size=self._page_size, max_pages=MAX_PAGES
        )


def _value(text: str) -> Any:
    # Values come as their JSON text (VariableSearchResult.value).
    try:
        return json.loads(text)
    except ValueError:
        return text
