"""RFC 9457 problem details for every error the HTTP layer returns."""

from __future__ import annotations

import http
import logging
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import ServicesNotRunningError
from app.api.methods import AllowedMethods

log = logging.getLogger("switchboard.api")

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    """One invalid input: where it is, its name and what is wrong with it."""

    location: str = Field(description="body, query, path or header", examples=["query"])
    field: str = Field(description="Dotted name of the input", examples=["limit"])
    reason: str = Field(examples=["Input should be less than or equal to 500"])


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No connector with type 'io.example:missing:1'",
                    "instance": "/api/v1/connectors/io.example:missing:1",
                }
            ]
        }
    )

    type: str = Field("about:blank", description="A URI identifying the problem type.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(None, description="What went wrong this time.")
    instance: str | None = Field(None, description="The request path.")
    errors: list[FieldError] | None = Field(
        None, description="Invalid inputs (validation errors only)."
    )


class ProblemError(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[FieldError] | None = None,
    ) -> None:
        super().__init__(detail or http.HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors else None


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] | None = None,
) -> Response:
    """A problem document (``application/problem+json``)."""
    try:
        title = http.HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    problem = Problem(
        type="about:blank",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=list(errors) if errors else None,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def validation_errors(raw: Sequence[Any]) -> list[FieldError]:
    errors = []
    for err in raw:
        loc = [str(part) for part in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            # FastAPI puts the character offset where a field name belongs.
            position = loc[1] if len(loc) > 1 else "?"
            cause = (err.get("ctx") or {}).get("error", "not valid JSON")
            reason = f"invalid JSON at position {position}: {cause}"
            errors.append(FieldError(location="body", field="body", reason=reason))
            continue
        location = loc[0] if loc else "body"
        if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            # The field at fault is the discriminator inside the value, not the value.
            tag_field = str((err.get("ctx") or {}).get("discriminator", "type")).strip("'")
            loc = [*loc, tag_field]
        name = ".".join(loc[1:]) or location
        errors.append(FieldError(location=location, field=name, reason=human_reason(err)))
    return errors


# pydantic's error types and what the API says instead ("Input should be a valid dictionary"
# is pydantic's wording for a field that must be a JSON object).
_REASONS = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "dict_type": "must be a map (a JSON object)",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a list (a JSON array)",
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}


def human_reason(err: Mapping[str, Any]) -> str:
    """One pydantic error as a reason a person reads (never the offending value)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in _REASONS:
        return _REASONS[kind]
    if kind == "union_tag_invalid":
        return f"must be one of {ctx.get('expected_tags', '')} (got {str(ctx.get('tag'))[:50]!r})"
    if kind == "union_tag_not_found":
        return "is required (it says which kind of value this is)"
    message = str(err.get("msg", "")).removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    return message


def install_handlers(app: FastAPI, allowed: AllowedMethods | None = None) -> None:
    """Answer HTTP errors, validation errors and crashes with problem documents; 405s name
    every method of the path (from ``allowed``) in ``Allow``."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(
            request, exc.status, exc.detail, headers=exc.headers, errors=exc.errors
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail: str | None = exc.detail if isinstance(exc.detail, str) else None
        if detail == http.HTTPStatus(exc.status_code).phrase:
            detail = None
        if exc.status_code == 404 and detail is None:
            detail = f"Nothing is served at {request.url.path}"
        if _undecodable_body(exc):
            # FastAPI's answer to a body it cannot decode: bad input like any other.
            reason = "not decodable as the declared content type (JSON in UTF-8)"
            errors = [FieldError(location="body", field="body", reason=reason)]
            return problem_response(request, 422, f"body: {reason}", errors=errors)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            if detail is None:
                detail = f"{request.method} is not allowed on {request.url.path}"
            methods = allowed.for_path(request.url.path) if allowed else []
            if methods:
                headers["Allow"] = ", ".join(methods)
        return problem_response(request, exc.status_code, detail, headers=headers)

    async def on_not_running(request: Request, exc: Exception) -> Response:
        return problem_response(request, 503, "The application is not running (no services)")

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = validation_errors(exc.errors())
        detail = "; ".join(f"{e.field}: {e.reason}" for e in errors) or "Invalid request"
        return problem_response(request, 422, detail, errors=errors)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(ServicesNotRunningError, on_not_running)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_middleware(CrashGuard)


def _undecodable_body(exc: StarletteHTTPException) -> bool:
    """FastAPI turns a body it cannot parse into a 400 raised from the parser's error."""
    cause = exc.__cause__
    return (
        exc.status_code == 400
        and cause is not None
        and not isinstance(cause, StarletteHTTPException)
    )


class CrashGuard:
    """Answers an unhandled exception with a 500 problem and logs it without its message.

    Pure ASGI and inside Starlette's error middleware, so the exception stops here: the
    server's own handler would log the message, which may quote job variables or secrets.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            frames = "".join(
                f"  {f.filename}:{f.lineno} in {f.name}\n"
                for f in traceback.extract_tb(exc.__traceback__)
            )
            log.error(
                "unhandled %s on %s %s\n%s",
                type(exc).__name__,
                scope.get("method", "?"),
                scope.get("path", "?"),
                frames,
            )
            if not started:
                request = Request(scope, receive)
                response = problem_response(
                    request, 500, "An unexpected error occurred; see the server log"
                )
                await response(scope, receive, send)
