"""Who is signed in to the admin UI, and the checks every page and form makes."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, Request

from app.api.auth import Principal
from app.api.deps import ServicesDep
from app.api.problems import ProblemError
from app.db import apikeys, ui_sessions
from app.db.executions_repo import DATABASE_ERRORS
from app.ui.session import LOGIN_COOKIE, SESSION_COOKIE, SessionSigner

HOME = "/ui/connectors"
FRAGMENT_HEADER = "X-Switchboard-Fragment"
"""Sent by app.js on its fetch requests: the answer is a piece of a page, and an ended
session is a 401 with a ``X-Sign-In`` link instead of a redirect to the sign-in page."""


class UiNotRunningError(RuntimeError):
    """A UI request arrived without the UI's lifespan state."""


class LoginRequiredError(Exception):
    """No valid session: the UI redirects to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def signer(request: Request) -> SessionSigner:
    """The session signer of the running UI (from the lifespan state)."""
    found = getattr(request.state, "ui", None)
    if found is None:
        raise UiNotRunningError("the UI's lifespan state is missing")
    signer_: SessionSigner = found.signer
    return signer_


async def current_user(request: Request, services: ServicesDep) -> Principal:
    """The signed-in user; :class:`LoginRequiredError` when there is none."""
    session = signer(request).verify(request.cookies.get(SESSION_COOKIE))
    key = None
    if session is not None:
        try:
            if not await ui_sessions.is_revoked(services.sessions, session.nonce):
                key = await apikeys.get_active(services.sessions, session.key_id)
        except DATABASE_ERRORS:
            raise ProblemError(503, "The database is unavailable") from None
    if key is None:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise LoginRequiredError(target)
    request.state.session_nonce = session.nonce  # type: ignore[union-attr]
    user = Principal(key_id=key.id, name=key.name, role=key.role)
    request.state.ui_user = user
    return user


def ui_role(role: str):  # type: ignore[no-untyped-def]
    """A dependency admitting signed-in users whose role is at least ``role``."""

    async def check(user: Principal = Depends(current_user)) -> Principal:
        if not user.has(role):
            raise ProblemError(403, f"This page needs the {role} role; you are a {user.role}.")
        return user

    return Depends(check)


async def check_csrf(request: Request) -> None:
    """Reject a form POST whose CSRF token does not match the session (or sign-in) nonce."""
    form = await request.form()
    token = form.get("csrf_token")
    session = signer(request).verify(request.cookies.get(SESSION_COOKIE))
    nonces = [session.nonce if session else None, request.cookies.get(LOGIN_COOKIE)]
    text = token if isinstance(token, str) else None
    if not any(signer(request).check_csrf(nonce, text) for nonce in nonces):
        raise ProblemError(403, "The form expired or did not come from this site; reload it.")


def is_fragment(request: Request) -> bool:
    """Whether the page's script asked for a fragment (see :data:`FRAGMENT_HEADER`)."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def login_url(next_path: str) -> str:
    return "/ui/login?next=" + quote(next_path, safe="/")


def safe_next(value: str | None) -> str:
    """Only same-site UI paths are followed after sign-in (no open redirects)."""
    if value and value.startswith("/ui") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME
