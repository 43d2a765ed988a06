"""The Inbound page and a connector's page in Debian's Chromium (issue 13.5, 19.5): a webhook
deployed with Camunda's official start-event template is listed with its URL and health, the
inbound connector types link to their templates, and the HTTP REST connector's page shows
its documentation and figures. The screenshots are the README's."""

from __future__ import annotations

import pytest

from tests.api.harness import make_key
from tests.inbound.conftest import Served
from tests.inbound.test_webhook import START, deploy, rows_for
from tests.ui.test_browser import browser, page_for, playwright_api, shot, sign_in

__all__ = ["browser"]  # fixture

pytestmark = pytest.mark.browser


async def test_inbound_and_connector_pages_in_the_browser(serve, browser: object) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    hooks: Served = await serve()
    await deploy(hooks, START, {"inbound.context": "orders-received"})
    assert (await hooks.http.post("/inbound/orders-received", json={"id": 7})).status_code == 200
    await rows_for(hooks, "orders-received")
    key = await make_key(hooks.app, "viewer")
    async with page_for(browser, hooks.url) as page:
        await sign_in(page, key)
        await page.goto("/ui/inbound")
        row = page.locator("tr.inbound-element")
        await expect(row).to_have_count(1)
        await expect(row.locator(".webhook-url")).to_have_text(
            f"{hooks.url}/inbound/orders-received"
        )
        await expect(row.locator(".badge.up")).to_have_text("UP")
        types = page.locator("#inbound-connectors tr[data-type='io.camunda:webhook:1']")
        await expect(types.locator("a.template-download")).to_be_visible()
        await shot(page, "inbound")

        await page.goto("/ui/connectors/io.camunda%3Ahttp-json%3A1")
        await expect(page.locator("h1")).to_contain_text("HTTP REST")
        await shot(page, "connector-page")
