"""The admin UI: server-rendered pages under /ui, assets served locally (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.ui import keys
from app.ui.auth import LoginRequiredError, login_url
from app.ui.routes import error_page, router
from app.ui.session import SessionSigner

STATIC = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def install(app: FastAPI) -> None:
    """Mount the pages, the static assets and the UI's error handling on ``app``."""
    settings = app.state.settings
    secret = settings.session_secret
    app.state.ui_signer = SessionSigner(
        secret.get_secret_value().encode() if secret is not None else None,
        settings.session_max_age_seconds,
    )
    app.state.html_error_page = error_page

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequiredError)
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    app.add_exception_handler(LoginRequiredError, on_login_required)

    app.add_middleware(SecurityHeaders)
    app.include_router(router)
    app.include_router(keys.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")


class SecurityHeaders:
    """Adds CSP and friends to every UI page (pure ASGI: bodies pass straight through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/ui") or path.startswith("/ui/static"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
