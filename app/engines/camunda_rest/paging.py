"""Forward cursor paging over the REST API's ``.../search`` endpoints: each request carries the
previous page's ``endCursor`` as ``page.after``, as Camunda's connector runtime pages them
(camunda/connectors ``connector-runtime-spring/.../inbound/search/SearchQueryClientImpl.java``).
A page shorter than the limit, or without a cursor, is the last."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from camunda_orchestration_sdk.errors import ApiError
from camunda_orchestration_sdk.models import CursorBasedForwardPagination
from camunda_orchestration_sdk.types import Unset

from app.engines.camunda_rest.client import engine_error

log = logging.getLogger("switchboard.camunda_rest")

Search = Callable[[Any], Awaitable[Any]]


async def forward_pages(
    search: Search,
    *,
    command: str,
    page_size: int,
    max_pages: int,
    page_type: Callable[..., Any] = CursorBasedForwardPagination,
) -> AsyncIterator[list[Any]]:
    """The items of every page, in order; SDK and transport errors become the engine error
    tree (:func:`~app.engines.camunda_rest.client.engine_error`) named after ``command``.
    ``page_type`` builds the page (``limit``, then ``after``): the statistics endpoints have
    a page model of their own."""
    after: str | None = None
    for _ in range(max_pages):
        page = page_type(limit=page_size)
        if after is not None:
            page.after = after  # type: ignore[assignment]
        try:
            result = await search(page)
        except (ApiError, httpx.HTTPError) as exc:
            raise engine_error(exc, command) from None
        items = list(result.items)
        yield items
        cursor = result.page.end_cursor
        if len(items) < page_size or not cursor or isinstance(cursor, Unset):
            return
        after = str(cursor)
    log.warning("%s: stopped after %d pages", command, max_pages)
