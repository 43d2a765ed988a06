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

It also tells which definitions have open message subscriptions (the "active versions" Camunda's
runtime keeps: :meth:`RestDefinitionSource.definitions_with_subscriptions`).

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
    JobTypeStatisticsQueryPage,
    MessageSubscriptionStateExactMatch,
    ProcessDefinitionMessageSubscriptionStatisticsQuery,
    ProcessDefinitionMessageSubscriptionStatisticsQueryFilter,
    ProcessDefinitionSearchQuery,
    ProcessDefinitionSearchQueryFilter,
    ProcessDefinitionSearchQuerySortRequest,
    ProcessDefinitionSearchQuerySortRequestField,
)

from app.engines.camunda_rest.client import create_client, engine_error
from app.engines.camunda_rest.paging import forward_pages
from app.inbound.model import DefinitionRef
from app.runtime.engine import DEFAULT_TENANT, EngineRejectedError
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
        self._statistics = True  # False once the cluster said it has no such endpoint

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
            found.extend(_definition_ref(item) for item in items)
        return found

    async def definitions_with_subscriptions(self) -> set[int] | None:
        """The keys of the definitions with open (CREATED) message subscriptions, as Camunda's
        runtime imports its "active versions" (camunda/connectors ``connector-runtime-spring/
        .../inbound/importer/Importers.importActiveVersions``, ``SearchQueryClientImpl.
        queryMessageSubscriptionStatistics``): ``POST /v2/process-definitions/statistics/
        message-subscriptions``. None when the cluster has no such endpoint (404): older
        versions' message elements then stay active."""
        if not self._statistics:
            return None
        filters = ProcessDefinitionMessageSubscriptionStatisticsQueryFilter(
            message_subscription_state=MessageSubscriptionStateExactMatch.CREATED
        )

        async def search(page: Any) -> Any:
            query = ProcessDefinitionMessageSubscriptionStatisticsQuery(filter_=filters, page=page)
            return await self._client.get_process_definition_message_subscription_statistics(
                data=query
            )

        keys: set[int] = set()
        pages = forward_pages(
            search,
            command="GetProcessDefinitionMessageSubscriptionStatistics",
            page_size=self._page_size,
            max_pages=MAX_PAGES,
            page_type=JobTypeStatisticsQueryPage,
        )
        try:
            async for items in pages:
                keys.update(int(item.process_definition_key) for item in items)
        except EngineRejectedError as exc:
            if exc.reason != "NOT_FOUND":
                raise
            log.warning(
                "the REST API has no message subscription statistics: older versions' "
                "message elements stay active"
            )
            self._statistics = False
            return None
        return keys

    async def definition(self, key: int) -> DefinitionRef:
        """One definition by key (``GET /v2/process-definitions/{processDefinitionKey}``)."""
        try:
            item = await self._client.get_process_definition(ProcessDefinitionKey(str(key)))
        except (ApiError, httpx.HTTPError) as exc:
            raise engine_error(exc, "GetProcessDefinition") from None
        return _definition_ref(item)

    async def xml(self, definition: DefinitionRef | int) -> bytes:
        """The BPMN XML of one definition (UTF-8)."""
        key = definition if isinstance(definition, int) else definition.process_definition_key
        try:
            text = await self._client.get_process_definition_xml(ProcessDefinitionKey(str(key)))
        except (ApiError, httpx.HTTPError) as exc:
            raise engine_error(exc, "GetProcessDefinitionXml") from None
        # The SDK hands the body over decoded (httpx's .text); BPMN is UTF-8 as Zeebe stores it.
        return (text or "").encode("utf-8")


def _definition_ref(item: Any) -> DefinitionRef:
    """A search or get answer's ``ProcessDefinitionResult`` as the inbound layer names it."""
    return DefinitionRef(
        process_definition_key=int(item.process_definition_key),
        bpmn_process_id=str(item.process_definition_id),
        version=item.version,
        tenant_id=str(item.tenant_id) or DEFAULT_TENANT,
        resource_name=item.resource_name,
    )
