"""The admin UI's Inbound page: the elements of ``GET /api/v1/inbound`` with their webhook URL,
health and last activity, and a link that filters the execution history to one element.

Elements are deployed with Camunda's official webhook start-event template (npm
``@camunda/connectors-element-templates``, ``webhook-connector-start-event.json``) through the
test gateway; the page is read over real HTTP.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from tests.api.harness import make_key
from tests.inbound.conftest import Served
from tests.inbound.test_webhook import START, deploy, rows_for
from tests.ui.test_ui_http import sign_in


async def test_inbound_page_lists_webhooks_and_filters_history(serve) -> None:  # type: ignore[no-untyped-def]
    hooks: Served = await serve()
    process = await deploy(hooks, START, {"inbound.context": "ui-listed"})
    assert (await hooks.http.post("/inbound/ui-listed", json={"a": 1})).status_code == 200
    await rows_for(hooks, "ui-listed")
    viewer = await make_key(hooks.app, "viewer")
    await sign_in(hooks.http, viewer, "/ui/inbound")

    page = await hooks.http.get("/ui/inbound")
    assert page.status_code == 200, page.text
    text = page.text
    assert 'href="/ui/inbound" class="active"' in text  # the navigation entry
    assert f"{hooks.url}/inbound/ui-listed" in text  # the full webhook URL
    [element_id] = [e["elementId"] for e in process["inboundElements"]]
    assert element_id in text and process["bpmnProcessId"] in text
    assert '<span class="badge up">UP</span>' in text
    assert "never" not in text  # it had a request: last activity is shown

    link = re.search(r'class="inbound-history" href="([^"]+)"', text)
    assert link is not None
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    assert query == {
        "direction": ["inbound"],
        "processDefinitionKey": [str(process["processDefinitionKey"])],
        "elementId": [element_id],
    }
    history = await hooks.http.get(html.unescape(link.group(1)))
    assert history.status_code == 200
    assert history.text.count('class="execution-link"') == 1
    assert 'id="filter-definition-key" value="{}"'.format(process["processDefinitionKey"]) in (
        history.text
    )
    # Another element's filter shows none of these rows.
    other = await hooks.http.get(
        "/ui/executions", params={"direction": "inbound", "elementId": "no-such-element"}
    )
    assert other.text.count('class="execution-link"') == 0


async def test_inbound_page_without_elements(serve) -> None:  # type: ignore[no-untyped-def]
    hooks: Served = await serve()
    await sign_in(hooks.http, await make_key(hooks.app, "viewer"), "/ui/inbound")
    page = await hooks.http.get("/ui/inbound")
    assert page.status_code == 200
    assert "No inbound elements are registered" in page.text
