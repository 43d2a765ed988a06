"""The operator's side of the admin UI in Debian's Chromium: the invoke form built from the
connector's input model, the session-ended notice, replay, and the 390 px layout."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from app.db import apikeys
from app.db import executions_repo as repo
from tests.connectors.servers import LoopbackServer, Reply
from tests.support.app import StartedApp
from tests.support.waiting import eventually
from tests.ui.test_browser import browser, page_for, playwright_api, shot, sign_in, site

__all__ = ["browser", "site"]  # fixtures

pytestmark = pytest.mark.browser

REST = "io.camunda:http-json:1"
ECHO = "switchboard:echo:1"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


async def stored(app: StartedApp, execution_id: str) -> None:
    """Wait for the batched history writer to have stored this execution."""

    async def found() -> bool:
        async with app.services.sessions() as session:
            return await repo.get_execution(session, execution_id) is not None

    await eventually(found)


async def operator_key(app: StartedApp, role: str = "operator") -> tuple[str, str]:
    info, key = await apikeys.create_key(
        app.services.sessions, name=f"browser-{uuid.uuid4().hex[:6]}", role=role
    )
    return info.id, key


async def test_rest_connector_invoked_from_the_form_without_typing_json(
    site: tuple[StartedApp, str], browser: object, server: LoopbackServer
) -> None:
    """The form shows the fields of Camunda's REST template (io.camunda.connectors.HttpJson.v2,
    camunda/connectors connectors/http/rest/element-templates/http-json-connector.json:
    a method dropdown, the body only for POST/PUT/PATCH, the bearer token only for the bearer
    authentication) and the browser builds the variables and headers from them."""
    app, url = site
    expect = playwright_api.expect
    path = f"/orders-{uuid.uuid4().hex[:8]}"
    release = server.stall()
    server.routes[path] = lambda seen: Reply(
        status=201, body={"id": 7, "sent": seen.json()}, stall=release
    )
    _, key = await operator_key(app)
    async with page_for(browser, url) as page:
        await sign_in(page, key)
        await page.goto(f"/ui/connectors/{REST}")
        await expect(page.locator("#template-version")).to_have_text("18")
        await expect(page.locator("#schema")).not_to_have_attribute("open", "")
        form = page.locator("#form-view")
        await expect(form).to_be_visible()
        await expect(page.locator("#json-view")).to_be_hidden()

        # Conditions: the body appears for POST, the token for the bearer authentication.
        body = page.locator("#f-variables-body")
        await expect(body).to_be_hidden()
        await page.select_option("#f-variables-method", "POST")
        await expect(body).to_be_visible()
        token = page.locator("#f-variables-authentication-token")
        await expect(token).to_be_hidden()
        await page.select_option("#f-variables-authentication-type", "bearer")
        await expect(token).to_be_visible()
        await expect(page.locator("[data-id='authentication.token'] .badge.secret")).to_be_visible()
        await page.select_option("#f-variables-authentication-type", "noAuth")
        await expect(token).to_be_hidden()

        await page.fill("#f-variables-url", server.url(path))
        await page.fill("#f-variables-body", '{"item": "book", "quantity": 2}')
        # Groups without required or contextual fields start collapsed.
        await expect(page.locator("#f-variables-clientTls-clientCertificate")).to_be_hidden()
        await expect(page.locator("#f-headers-resultVariable")).to_be_hidden()
        await page.click("#group-output > summary")
        await page.fill("#f-headers-resultVariable", "created")
        await shot(page, "invoke-form")

        # The JSON view follows the form.
        await page.click("#tab-json")
        variables = json.loads(await page.locator("#variables").input_value())
        assert variables["method"] == "POST"
        assert variables["url"] == server.url(path)
        assert variables["body"] == {"item": "book", "quantity": 2}
        assert variables["authentication"] == {"type": "noAuth"}
        assert "token" not in variables["authentication"]  # hidden fields are left out
        headers = json.loads(await page.locator("#headers").input_value())
        assert headers["resultVariable"] == "created"
        assert headers["elementTemplateId"] == "io.camunda.connectors.HttpJson.v2"
        # ...and the form follows the JSON view.
        variables["readTimeoutInSeconds"] = 5
        await page.fill("#variables", json.dumps(variables))
        await page.click("#tab-form")
        await expect(page.locator("#f-variables-readTimeoutInSeconds")).to_have_value("5")

        pages_before = len(server.requests_to(path))
        await page.click("#invoke-button")
        button = page.locator("#invoke-button")
        await expect(button).to_be_disabled()  # busy while the server stalls
        await expect(button).to_have_text("Invoking…")
        await button.click(force=True)  # a second press while busy sends nothing
        release.set()
        await expect(page.locator("#outcome-command")).to_have_text("complete")
        await expect(button).to_be_enabled()
        outcome = json.loads(await page.locator("#outcome-json").inner_text())
        assert outcome["variables"]["created"]["status"] == 201
        assert outcome["variables"]["created"]["body"]["sent"] == {"item": "book", "quantity": 2}
        seen = server.requests_to(path)
        assert len(seen) == pages_before + 1
        await shot(page, "invoke-result")

        # The result came without a page load: a reload shows the page, it sends nothing.
        await page.reload()
        await expect(page.locator("#invoke-form")).to_be_visible()
        assert len(server.requests_to(path)) == len(seen)


async def test_examples_fill_the_form(site: tuple[StartedApp, str], browser: object) -> None:
    app, url = site
    expect = playwright_api.expect
    _, key = await operator_key(app)
    async with page_for(browser, url) as page:
        await sign_in(page, key)
        await page.goto(f"/ui/connectors/{REST}")
        await page.select_option("#example", label="POST JSON with a bearer token from the secrets")
        await expect(page.locator("#f-variables-method")).to_have_value("POST")
        await expect(page.locator("#f-variables-authentication-type")).to_have_value("bearer")
        await expect(page.locator("#f-variables-authentication-token")).to_have_value(
            "{{secrets.API_TOKEN}}"
        )
        await expect(page.locator("#f-headers-resultVariable")).to_have_value("created")
        await expect(page.locator("#f-headers-resultVariable")).to_be_visible()  # opened
        variables = json.loads(await page.locator("#variables").input_value())
        assert variables["body"] == {"item": "book", "quantity": 1}


async def test_revoked_session_stops_live_refresh_with_a_notice(
    site: tuple[StartedApp, str], browser: object
) -> None:
    app, url = site
    expect = playwright_api.expect
    key_id, key = await operator_key(app, "viewer")
    async with page_for(browser, url, expected_status=401) as page:
        await sign_in(page, key)
        await page.goto("/ui/executions")
        await expect(page.locator("#session-notice")).to_be_hidden()
        await apikeys.revoke_key(app.services.sessions, key_id, exact=True)
        notice = page.locator("#session-notice")
        await expect(notice).to_be_visible()
        await expect(notice.locator("a")).to_have_attribute(
            "href", "/ui/login?next=%2Fui%2Fexecutions"
        )
        await expect(page.locator("#live")).to_be_disabled()
        # The table never shows the sign-in page.
        assert await page.locator("#execution-rows #login-form").count() == 0
        assert await page.locator("#execution-rows input[type=password]").count() == 0
        await shot(page, "session-ended")
        await notice.locator("a").click()
        await page.wait_for_url("**/ui/login?next=%2Fui%2Fexecutions")


@contextlib.asynccontextmanager
async def phone(browser: object, base_url: str) -> AsyncIterator[object]:
    context = await browser.new_context(  # type: ignore[attr-defined]
        base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(15_000)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def no_horizontal_scroll(page: object, path: str) -> None:
    widths = await page.evaluate(  # type: ignore[attr-defined]
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 390 px: {widths}"


async def test_every_page_fits_390_px(site: tuple[StartedApp, str], browser: object) -> None:
    app, url = site
    expect = playwright_api.expect
    _, key = await operator_key(app, "admin")
    async with phone(browser, url) as page:
        await page.goto("/ui/login")  # type: ignore[attr-defined]
        await no_horizontal_scroll(page, "/ui/login")
        await page.fill("#api_key", key)  # type: ignore[attr-defined]
        await page.click("#login-form button[type=submit]")  # type: ignore[attr-defined]
        await page.wait_for_url("**/ui/connectors")  # type: ignore[attr-defined]
        invoked = await page.request.post(  # type: ignore[attr-defined]
            f"/api/v1/connectors/{ECHO}/invoke",
            data=json.dumps({"variables": {"long": "x" * 300, "fail_code": "A_LONG_CODE"}}),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        execution_id = (await invoked.json())["executionId"]
        await stored(app, execution_id)
        pages = [
            "/ui/connectors",
            f"/ui/connectors/{ECHO}",
            f"/ui/connectors/{REST}",
            "/ui/executions",
            f"/ui/executions/{execution_id}",
            "/ui/inbound",
            "/ui/stats",
            "/ui/secrets",
            "/ui/api-keys",
            "/ui/health",
            "/ui/no-such-page",
        ]
        for path in pages:
            await page.goto(path)  # type: ignore[attr-defined]
            await expect(page.locator("h1").first).to_be_visible()  # type: ignore[attr-defined]
            await no_horizontal_scroll(page, path)
            name = "mobile" + (path.replace("/", "-").replace(":", "_") or "-home")
            await page.screenshot(path=str(_shot_path(name)), full_page=True)  # type: ignore[attr-defined]
        # The navigation collapses behind a menu button and opens on demand.
        await page.goto("/ui/health")  # type: ignore[attr-defined]
        nav = page.locator("#main-nav")  # type: ignore[attr-defined]
        await expect(nav).to_be_hidden()
        await page.click("button.menu")  # type: ignore[attr-defined]
        await expect(nav).to_be_visible()
        await page.goto(f"/ui/connectors/{REST}")  # type: ignore[attr-defined]
        await page.screenshot(path=str(_shot_path("mobile-invoke")), full_page=False)  # type: ignore[attr-defined]
        _copy("mobile-invoke")


def _shot_path(name: str) -> object:
    from tests.ui.test_browser import SHOTS

    return SHOTS / f"{name}.png"


def _copy(name: str) -> None:
    from tests.ui.test_browser import _copy_for_docs

    _copy_for_docs(name)


async def test_replay_refills_a_masked_secret_on_the_server_and_shows_both_results(
    site: tuple[StartedApp, str],
    browser: object,
    server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, url = site
    expect = playwright_api.expect
    token = f"tok-{uuid.uuid4().hex}"
    secret = f"REPLAY_TOKEN_{uuid.uuid4().hex[:6].upper()}"
    monkeypatch.setenv(f"SECRET_{secret}", token)
    path = f"/replay-{uuid.uuid4().hex[:8]}"
    answers = iter([Reply(status=503, body={"down": True}), Reply(status=200, body={"up": 1})])
    server.routes[path] = lambda seen: next(answers)
    _, key = await operator_key(app)
    variables = {
        "method": "GET",
        "url": server.url(path),
        "authentication": {"type": "bearer", "token": token},  # typed in literally
    }
    async with page_for(browser, url) as page:
        first = await page.request.post(  # type: ignore[attr-defined]
            f"/api/v1/connectors/{REST}/invoke",
            data=json.dumps({"variables": variables, "retries": 1}),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        recorded = await first.json()
        assert recorded["command"] == "fail"
        await stored(app, recorded["executionId"])
        await sign_in(page, key)
        await page.goto(f"/ui/executions/{recorded['executionId']}")
        await expect(page.locator("#execution-input")).to_contain_text('"token": "***"')
        await page.fill("[name='secret:authentication.token']", secret)
        await page.fill("#replay-headers", json.dumps({"resultVariable": "answer"}))
        await page.click("#replay-button")
        await expect(page.locator("#replay-command")).to_have_text("complete")
        await expect(page.locator("#replay-original")).to_contain_text("fail")
        await expect(page.locator("#replay-new-output")).to_contain_text('"up": 1')
        await expect(page.locator("#replay-new-output")).to_contain_text('"answer"')
        # The server sent the secret's value; the page never showed it.
        assert [s.header("Authorization") for s in server.requests_to(path)] == [
            f"Bearer {token}",
            f"Bearer {token}",
        ]
        assert token not in await page.content()
        await shot(page, "replay")
        # The replay is an execution of its own, recorded with the placeholder only
        # (once the batched history writer has stored it).
        await stored(app, await page.locator("#replay-execution").inner_text())
        await page.click("#replay-execution")
        await expect(page.locator("#execution-input")).to_contain_text("{{secrets." + secret + "}}")
        assert token not in await page.content()


async def test_invoke_after_the_session_ended_shows_the_notice_not_the_sign_in_page(
    site: tuple[StartedApp, str], browser: object
) -> None:
    app, url = site
    expect = playwright_api.expect
    key_id, key = await operator_key(app)
    async with page_for(browser, url, expected_status=401) as page:
        await sign_in(page, key)
        await page.goto(f"/ui/connectors/{ECHO}")
        await apikeys.revoke_key(app.services.sessions, key_id, exact=True)
        await page.click("#invoke-button")
        await expect(page.locator("#session-notice")).to_be_visible()
        await expect(page.locator("#invoke-button")).to_be_enabled()
        assert await page.locator("#outcome-slot #login-form").count() == 0
        assert await page.locator("#outcome-command").count() == 0


async def test_pause_a_connector_and_its_worker_stops_taking_jobs(
    migrated: str, browser: object
) -> None:
    """Issue 19.5: an admin pauses the echo connector on the connectors page; the worker
    closes its stream and takes no job from the test gateway until it is resumed there."""
    from tests.api.harness import running_app, serving
    from tests.api.test_connector_pause import _not_taking, _reset, _taking, _worker_options
    from tests.support.gateway import TestGateway

    expect = playwright_api.expect
    async with TestGateway() as gateway:
        options = _worker_options(gateway, "ui-pause")
        async with running_app(migrated, **options) as app, serving(app) as url:
            try:
                _, key = await operator_key(app, "admin")
                await gateway.wait_for(lambda: _taking(gateway, "ui-pause"), timeout=20)
                async with page_for(browser, url) as page:
                    await sign_in(page, key)
                    row = page.locator(f"tr[data-type='{ECHO}']")
                    await expect(row.locator(".workers .badge")).to_have_text("taking jobs")
                    await row.locator("button[name=control]").click()
                    await expect(page.locator("#connectors-message")).to_contain_text("Paused")
                    await expect(row.locator(".workers .badge")).to_have_text("paused")
                    await gateway.wait_for(lambda: _not_taking(gateway, "ui-pause"), timeout=10)
                    held = gateway.add_job(ECHO, {"n": 1}, {"resultVariable": "r"})
                    assert held.activations == 0
                    await shot(page, "connectors-paused")

                    await row.locator("button[name=control]").click()
                    await expect(page.locator("#connectors-message")).to_contain_text("Resumed")
                    await expect(row.locator(".workers .badge")).to_have_text("taking jobs")
                    await gateway.wait_for_state(held, "completed", timeout=20)
            finally:
                await _reset(app)
