"""The admin UI in Debian's Chromium, driven by Playwright, against a real uvicorn server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.api.harness import make_key, running_app, serving
from tests.support.app import StartedApp

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
CHROMIUM = os.environ.get("SWITCHBOARD_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_FOUND = Path(CHROMIUM).exists()
ECHO = "switchboard:echo:1"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
async def site(migrated: str) -> AsyncIterator[tuple[StartedApp, str]]:
    async with running_app(migrated) as app, serving(app) as url:
        yield app, url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[object]:
    if not CHROMIUM_FOUND:
        pytest.fail(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def page_for(
    browser: object, base_url: str, expected_status: int | None = None
) -> AsyncIterator[object]:
    context = await browser.new_context(  # type: ignore[attr-defined]
        base_url=base_url, viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield page
        if expected_status is not None:  # Chromium logs every non-2xx page load
            errors = [e for e in errors if f"status of {expected_status}" not in e]
        assert errors == [], errors  # no script errors, no CSP violations
    finally:
        await context.close()


async def shot(page: object, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    _copy_for_docs(name)


def _copy_for_docs(name: str) -> None:
    # Refresh the README's screenshots: SWITCHBOARD_DOCS_SCREENSHOTS=docs/screenshots.
    target = os.environ.get("SWITCHBOARD_DOCS_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(SHOTS / f"{name}.png", Path(target) / f"{name}.png")


async def sign_in(page: object, key: str) -> None:
    await page.goto("/ui/connectors")  # type: ignore[attr-defined]
    await page.wait_for_url("**/ui/login?next=/ui/connectors")  # type: ignore[attr-defined]
    await page.fill("#api_key", key)  # type: ignore[attr-defined]
    await page.click("#login-form button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_url("**/ui/connectors")  # type: ignore[attr-defined]


async def test_sign_in_invoke_echo_and_follow_it_into_history(
    site: tuple[StartedApp, str], browser: object
) -> None:
    app, url = site
    expect = playwright_api.expect
    async with page_for(browser, url) as page:
        key = await make_key(app, "operator")
        await sign_in(page, key)
        await page.click(f"a[href='/ui/connectors/{ECHO.replace(':', '%3A')}']")
        await expect(page.locator("h1")).to_contain_text("Echo")

        # The JSON view refuses invalid JSON before anything is sent.
        await page.click("#tab-json")
        await page.fill("#variables", '{"message": ')
        await expect(page.locator("#invoke-button")).to_be_disabled()
        await expect(page.locator('.json-status[data-for="variables"]')).to_contain_text(
            "Invalid JSON"
        )
        await page.fill("#variables", json.dumps({"message": "hello from the browser"}))
        await page.fill("#headers", json.dumps({"resultVariable": "echoed"}))
        await expect(page.locator("#invoke-button")).to_be_enabled()
        await page.click("#invoke-button")
        await expect(page.locator("#outcome-command")).to_have_text("complete")
        outcome = json.loads(await page.locator("#outcome-json").inner_text())
        assert outcome["variables"] == {"echoed": {"message": "hello from the browser"}}
        execution_id = outcome["executionId"]
        await shot(page, "connector-invoke")

        await page.click("nav a[href='/ui/executions']")
        row = page.locator(f"a.execution-link[href='/ui/executions/{execution_id}']")
        # Live refresh brings the row in once the history writer has stored it.
        await expect(row).to_be_visible()
        await shot(page, "executions")
        # An execution that happens while the page is open shows up without a reload.
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as c:
            later = await c.post(
                f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"fail_code": "LIVE"}}
            )
        live_row = page.locator(
            f"a.execution-link[href='/ui/executions/{later.json()['executionId']}']"
        )
        await expect(live_row).to_be_visible()
        await row.click()
        await expect(page.locator("#execution-command")).to_have_text("complete")
        await expect(page.locator("#execution-facts")).to_contain_text("rest")
        assert json.loads(await page.locator("#execution-input").inner_text()) == {
            "message": "hello from the browser"
        }
        await shot(page, "execution-detail")

        await page.click("nav a[href='/ui/stats']")
        await expect(page.locator("#per-minute-chart rect").first).to_be_attached()
        await expect(page.locator("#stats-table")).to_contain_text(ECHO)
        await shot(page, "statistics")


async def test_failed_sign_in(site: tuple[StartedApp, str], browser: object) -> None:
    _, url = site
    expect = playwright_api.expect
    async with page_for(browser, url, expected_status=401) as page:
        await page.goto("/ui/login")
        await page.fill("#api_key", "sb_this-key-does-not-exist-0000000000000000000")
        await page.click("#login-form button[type=submit]")
        await expect(page.locator("#login-error")).to_contain_text("not valid or was revoked")
        assert "/ui/login" in page.url
        await shot(page, "sign-in-failed")
        await page.goto("/ui/executions")
        await page.wait_for_url("**/ui/login?next=/ui/executions")


async def test_viewer_cannot_invoke(site: tuple[StartedApp, str], browser: object) -> None:
    app, url = site
    expect = playwright_api.expect
    async with page_for(browser, url) as page:
        await sign_in(page, await make_key(app, "viewer"))
        await page.goto(f"/ui/connectors/{ECHO}")
        await expect(page.locator("#invoke-forbidden")).to_contain_text("needs the operator role")
        assert await page.locator("#invoke-form").count() == 0
        await expect(page.locator("nav")).not_to_contain_text("Secrets")
        await shot(page, "viewer-connector")


async def test_api_docs_render_from_local_assets_only(
    site: tuple[StartedApp, str], browser: object
) -> None:
    _, url = site
    expect = playwright_api.expect
    async with page_for(browser, url) as page:
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        await page.goto("/docs")
        # Swagger UI 5, served locally, renders our OpenAPI 3.1 document.
        operation = page.locator(".opblock-summary-description", has_text="List executions")
        await expect(operation).to_be_visible()
        await expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
        await shot(page, "api-docs")
    outside = [u for u in requested if not u.startswith((url + "/", "data:", "blob:"))]
    assert outside == [], outside
    assert f"{url}/openapi.json" in requested


async def test_executions_filters_survive_live_refresh(
    site: tuple[StartedApp, str], browser: object
) -> None:
    app, url = site
    expect = playwright_api.expect
    wanted, other = (f"LIVE_{uuid.uuid4().hex[:6].upper()}" for _ in range(2))
    key = await make_key(app, "operator")
    async with page_for(browser, url) as page:
        await sign_in(page, key)
        await page.goto("/ui/executions")
        await page.fill("#filter-error-code", wanted)
        await page.fill("#filter-started-after", "2020-01-01T00:00")
        await page.click("#filters button[type=submit]")
        await page.wait_for_url(f"**errorCode={wanted}**")
        await expect(page.locator("#execution-rows")).to_contain_text("No executions match")
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as c:
            for code in (other, wanted):  # the unwanted one first: it is older
                invoked = await c.post(
                    f"/api/v1/connectors/{ECHO}/invoke", json={"variables": {"fail_code": code}}
                )
                assert invoked.status_code == 200
        # Live refresh brings in the wanted row; had it dropped the filter, the other (older)
        # row would have come with it.
        await expect(page.locator("#execution-rows")).to_contain_text(wanted)
        await expect(page.locator("#execution-rows")).not_to_contain_text(other)
        await expect(page.locator("#filter-error-code")).to_have_value(wanted)
        await expect(page.locator("#filter-started-after")).to_have_value("2020-01-01T00:00")


async def test_admin_manages_api_keys_in_the_browser(
    site: tuple[StartedApp, str], browser: object
) -> None:
    app, url = site
    expect = playwright_api.expect
    name = f"browser-{uuid.uuid4().hex[:6]}"
    async with page_for(browser, url) as page:
        await sign_in(page, await make_key(app, "admin"))
        await page.click("nav a[href='/ui/api-keys']")
        await page.fill("#key-name", name)
        await page.select_option("#key-role", "viewer")
        await page.click("#api-key-form button[type=submit]")
        new_key = (await page.locator("#new-key").inner_text()).strip()
        assert new_key.startswith("sb_")
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {new_key}"}
        ) as c:
            assert (await c.get("/api/v1/connectors")).status_code == 200
            row = page.locator("tr.api-key", has_text=name)
            page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
            await row.locator("button", has_text="Revoke").click()
            await expect(page.locator("#keys-message")).to_contain_text(
                f"Revoked the API key {name}"
            )
            await expect(page.locator("#new-key")).to_have_count(0)
            await shot(page, "api-keys")  # after the revocation: no live key in the picture
            assert (await c.get("/api/v1/connectors")).status_code == 401
