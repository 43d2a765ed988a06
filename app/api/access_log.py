"""One log line per HTTP request: method, path (never the query string), status and
duration in milliseconds. Bodies and headers are never logged."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("switchboard.access")
MAX_PATH_CHARS = 512


class AccessLog:
    """Pure ASGI, outermost: the status is the one sent (500 when nothing was sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            path = str(scope.get("path", ""))
            if len(path) > MAX_PATH_CHARS:
                path = path[:MAX_PATH_CHARS] + "..."
            method = str(scope.get("method", "?"))
            # Escaped: control characters in the path cannot forge a second log line.
            log.info(
                "%s %s %d %.1f ms",
                method,
                path.encode("unicode_escape").decode("ascii"),
                status,
                duration_ms,
                extra={
                    "http_method": method,
                    "http_path": path,
                    "http_status": status,
                    "duration_ms": duration_ms,
                },
            )
