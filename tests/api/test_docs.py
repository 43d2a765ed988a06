"""/docs uses only local assets (the machines may have no internet)."""

from __future__ import annotations

import re

from tests.api.harness import client
from tests.support.app import StartedApp

EXTERNAL = re.compile(r"""(?:https?:)?//[^\s"'<>]+""", re.I)
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


async def test_docs_page_references_no_external_url(app: StartedApp) -> None:
    async with client(app) as c:
        page = await c.get("/docs")
        assets = {url: await c.get(url) for url in ASSET.findall(page.text)}
        # ReDoc loads its logo from the vendor's CDN: not served. Nor is an OAuth2 redirect.
        gone = [await c.get(path) for path in ("/redoc", "/docs/oauth2-redirect")]
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert EXTERNAL.findall(page.text) == []
    assert "/openapi.json" in page.text
    assert '"validatorUrl": null' in page.text  # no online validator badge
    names = {url.rsplit("/", 1)[-1] for url in assets}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"} == names
    for url, response in assets.items():
        assert url.startswith("/docs-assets/"), url
        assert response.status_code == 200 and len(response.content) > 1000, url
    assert "SwaggerUIBundle" in assets["/docs-assets/swagger-ui-bundle.js"].text
    assert [r.status_code for r in gone] == [404, 404]


async def test_docs_pages_are_not_in_the_openapi_document(app: StartedApp) -> None:
    async with client(app) as c:
        paths = (await c.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]
