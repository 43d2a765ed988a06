"""The admin UI: server-rendered pages, mounted at /ui as an application of its own.

It has its own error handling (HTML pages instead of problem documents), its own security
headers and static assets (served locally, no CDN). Its state, the session signer, comes
from the main application's lifespan (``request.state.ui``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import ProblemError
from app.settings import Settings
from app.ui import keys, replay
from app.ui.auth import HOME, LoginRequiredError, is_fragment, login_url
from app.ui.routes import error_page, router
from app.ui.session import SESSION_COOKIE, SessionSigner

__all__ = ["HOME", "PREFIX", "UiState", "install"]

SIGN_IN_HEADER = "X-Sign-In"

PREFIX = "/ui"
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


@dataclass(frozen=True)
class UiState:
    """What the UI keeps while the application runs."""

    signer: SessionSigner

    @classmethod
    def from_settings(cls, settings: Settings) -> UiState:
        secret = settings.session_secret
        return cls(
            SessionSigner(
                secret.get_secret_value().encode() if secret is not None else None,
                settings.session_max_age_seconds,
            )
        )


def install(app: FastAPI) -> None:
    """Mount the UI at /ui on ``app``."""
    ui = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequiredError)
        if is_fragment(request):
            return session_ended()
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return error_page(request, exc.status, exc.detail, exc.headers)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404:
            detail = f"There is no page at {request.url.path}"
        return error_page(request, exc.status_code, detail, exc.headers)

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_page(request, 422, "The request is not valid for this page", None)

    ui.add_exception_handler(LoginRequiredError, on_login_required)
    ui.add_exception_handler(ProblemError, on_problem)
    ui.add_exception_handler(StarletteHTTPException, on_http)
    ui.add_exception_handler(RequestValidationError, on_invalid)
    ui.add_middleware(SessionGate)
    ui.add_middleware(SecurityHeaders)
    ui.include_router(router)
    ui.include_router(keys.router)
    ui.include_router(replay.router)
    ui.mount("/static", StaticFiles(directory=STATIC), name="ui-static")

    async def ui_root() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=303)

    app.add_api_route(PREFIX, ui_root, include_in_schema=False)
    app.mount(PREFIX, ui)


def session_ended() -> Response:
    """The answer to a script's request when the session is over: 401 and where to sign in
    (the page shows a notice; it never puts the sign-in page into itself)."""
    return HTMLResponse(
        '<p class="alert error" role="alert">Your session has ended.</p>',
        status_code=401,
        headers={SIGN_IN_HEADER: PREFIX + "/login"},
    )


class SessionGate:
    """Pure ASGI: a form POST (other than the sign-in) needs a validly signed session cookie
    before its body is read; without one it is sent to the sign-in page, body unread."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] != PREFIX + "/login"
        ):
            request = Request(scope)
            state = getattr(request.state, "ui", None)
            cookie = request.cookies.get(SESSION_COOKIE)
            if state is None or state.signer.verify(cookie) is None:
                response: Response = (
                    session_ended()
                    if is_fragment(request)
                    else RedirectResponse(login_url(PREFIX + "/"), status_code=303)
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds CSP and friends to every UI page (pure ASGI: bodies pass straight through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or path.startswith(PREFIX + "/static"):
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
