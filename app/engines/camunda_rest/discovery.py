"""Process-definition discovery over the Orchestration Cluster REST API, for inbound
connectors.

:class:`RestDefinitionSource` lists the latest version of every deployed process
(``POST /v2/process-definitions/search`` with ``filter.isLatestVersion = true``, paged forward
with ``page.after`` / ``page.limit``, the only paging the API allows with that filter) and
fetches a definition's BPMN (``GET /v2/process-definitions/{processDefinitionKey}/xml``),
through the SDK (camunda/camunda ``zeebe/gateway-protocol/src/main/proto/v2/
process-definitions.yaml``). Camunda's connector runtime pages its search the same way, each
request with the previous page's ``endCursor`` (camunda/connectors ``connector-runtime/
connector-runtime-spring/.../inbound/importer/ProcessDefinitionSearch.java``); where it sorts
by key and drops older versions itself, this asks the API for the latest versions only.

It implements :class:`app.inbound.model.DefinitionSource`, which the inbound service polls
every ``SWITCHBOARD_INBOUND_POLL_INTERVAL`` (``start_services`` adds one when
``CAMUNDA_REST_ADDRESS`` is set).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from camunda_orchestration_sdk import CamundaAsyncClient, ProcessDefinitionKey
from camunda_orchestration_sdk.errors import ApiError
from camunda_orchestration_sdk.models import (
    CursorBasedForwardPagination,
    ProcessDefinitionSearchQuery,
    ProcessDefinitionSearchQueryFilter,
    ProcessDefinitionSearchQuerySortRequest,
    ProcessDefinitionSearchQuerySortRequestField,
)

from app.engines.camunda_rest.client import create_client, engine_error
from app.engines.camunda_rest.paging import forward_pages
from app.inbound.model import DefinitionRef
from app.runtime.engine import DEFAULT_TENANT
from app.settings.camunda_rest import CamundaRestSettings

log = logging.getLogger("switchboard.camunda_rest")

DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 10_000  # a bound on a misbehaving server's cursor loop
DISCOVERY_TIMEOUT_SECONDS = 30.0


class RestDefinitionSource:
    """Latest process definitions and their XML from the REST API (see the module doc)."""

    name = "camunda-rest"

    def __init__(
        self,
        client: CamundaAsyncClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        owns_client: bool = False,
    ) -> None:
        if not 1 <= page_size <= 10_000:
            raise ValueError("page_size must be between 1 and 10000")
        self._client = client
        self._page_size = page_size
        self._owns_client = owns_client

    @classmethod
    def from_settings(cls, settings: CamundaRestSettings) -> RestDefinitionSource:
        """A source with a client of its own (closed by :meth:`aclose`)."""
        return cls(
            create_client(settings, read_timeout_seconds=DISCOVERY_TIMEOUT_SECONDS),
            owns_client=True,
        )

    @property
    def client(self) -> CamundaAsyncClient:
        """The SDK client (shared with the element-instance look-ups)."""
        return self._client

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def latest_definitions(self) -> list[DefinitionRef]:
        """Every process's latest version (per tenant), all pages."""
        sort = [
            ProcessDefinitionSearchQuerySortRequest(
                field=ProcessDefinitionSearchQuerySortRequestField.PROCESSDEFINITIONID
            ),
            ProcessDefinitionSearchQuerySortRequest(
                field=ProcessDefinitionSearchQuerySortRequestField.TENANTID
            ),
        ]

        async def search(page: CursorBasedForwardPagination) -> Any:
            query = ProcessDefinitionSearchQuery(
                filter_=ProcessDefinitionSearchQueryFilter(is_latest_version=True),
                sort=sort,
                page=page,
            )
            return await self._client.search_process_definitions(data=query)

        found: list[DefinitionRef] = []
        pages = forward_pages(
            search,
            command="SearchProcessDefinitions",
            page_size=self._page_size,
            max_pages=MAX_PAGES,
        )
        async for items in pages:
            found.extend(
                DefinitionRef(
                    process_definition_key=int(item.process_definition_key),
                    bpmn_process_id=str(item.process_definition_id),
                    version=item.version,
                    tenant_id=str(item.tenant_id) or DEFAULT_TENANT,
                    resource_name=item.resource_name,
                )
                for item in items
            )
        return found

    async def definitions_with_subscriptions(self) -> set[int] | None:
        """None: this source does not tell which older versions still have open message
        subscriptions (their message elements then stay active, as the inbound layer
        documents)."""
        return None

    async def xml(self, definition: DefinitionRef | int) -> bytes:
        """The BPMN XML of one definition (UTF-8)."""
        key = definition if isinstance(definition, int) else definition.process_definition_key
        try:
            text = await self._client.get_process_definition_xml(ProcessDefinitionKey(str(key)))
        except (ApiError, httpx.HTTPError) as exc:
            raise engine_error(exc, "GetProcessDefinitionXml") from None
        # The SDK hands the body over decoded (httpx's .text); BPMN is UTF-8 as Zeebe stores it.
        return (text or "").encode("utf-8")
