"""``/docs`` (Swagger UI) from local files: the machines may have no internet.

FastAPI's own /docs and /redoc load their scripts from a CDN. Swagger UI's assets come from
the PyPI package ``fastapi-offline`` (MIT; it ships Swagger UI 5, Apache-2.0); without it
/docs is not served rather than pointing at a CDN. /redoc is not served: ReDoc fetches its
logo from the vendor's CDN and has no option to stop it.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

log = logging.getLogger("switchboard.api")

ASSETS_URL = "/docs-assets"
# Swagger UI would otherwise send the document to an online validator for a badge.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def assets_directory() -> Path | None:
    """Where the installed ``fastapi-offline`` keeps Swagger UI's files, if it is installed."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    directory = Path(next(iter(spec.submodule_search_locations))) / "static"
    wanted = ("swagger-ui-bundle.js", "swagger-ui.css")
    return directory if all((directory / name).is_file() for name in wanted) else None


def install(app: FastAPI) -> None:
    """Replace FastAPI's CDN-based /docs with a page using local assets; drop /redoc and
    the OAuth2 redirect page."""
    paths = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if _path(r) not in paths]
    if app.openapi_url is None or not app.docs_url:
        return
    directory = assets_directory()
    if directory is None:
        log.warning("fastapi-offline is not installed: /docs is not served")
        return
    app.mount(ASSETS_URL, StaticFiles(directory=directory), name="docs-assets")
    openapi_url = app.openapi_url

    # No OAuth2 here (API keys are Bearer tokens), so no OAuth2 redirect page either.
    @app.get(app.docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=None,
            swagger_ui_parameters={**SWAGGER_PARAMETERS, **(app.swagger_ui_parameters or {})},
        )


def _path(route: BaseRoute) -> str | None:
    return getattr(route, "path", None)
