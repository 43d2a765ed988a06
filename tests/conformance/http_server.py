"""A small HTTP/1.1 server on 127.0.0.1 for the REST connector conformance tests.

Routes:

- ``/json``: 200, a JSON object, a repeated ``X-Multi`` header.
- ``/echo``: 200, JSON describing the request (method, path, query, headers, body).
- ``/text``: 200, ``text/plain`` body.
- ``/empty``: 204, no body.
- ``/status/<code>``: that status with the JSON error body from Camunda's REST docs.
- ``/status-text/<code>``: that status with a plain-text body.
- ``/slow``: answers only when released (``stop``) or after 10 s: a read timeout target.
- ``/reflect/...``: 400 with a JSON body quoting the request as it arrived (raw target,
  headers, body): a service that echoes what it was sent in its error.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON_BODY = {"order": {"id": "123", "total": "100.00€"}}
ERROR_BODY = {"temperature": 36, "message": "My custom error message", "booleanField": True}
SLOW_LIMIT_SECONDS = 10.0


class HttpServer:
    """Serves the routes above on a free port of 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.release))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(release: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

        def do_GET(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def do_PUT(self) -> None:
            self._dispatch()

        def do_PATCH(self) -> None:
            self._dispatch()

        def do_DELETE(self) -> None:
            self._dispatch()

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            path = parts.path
            if path == "/json":
                self._send(200, json.dumps(JSON_BODY).encode(), "application/json", multi=True)
            elif path == "/echo":
                text = raw.decode("utf-8")
                try:
                    body: Any = json.loads(text) if text else None
                except ValueError:
                    body = text
                seen = {
                    "method": self.command,
                    "path": path,
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                self._send(200, json.dumps(seen).encode(), "application/json")
            elif path == "/text":
                self._send(200, b"hello, world", "text/plain; charset=utf-8")
            elif path == "/empty":
                self.send_response(204)
                self.end_headers()
            elif path.startswith("/status/"):
                code = int(path.rsplit("/", 1)[1])
                self._send(code, json.dumps(ERROR_BODY).encode(), "application/json")
            elif path.startswith("/status-text/"):
                code = int(path.rsplit("/", 1)[1])
                self._send(code, b"plain failure", "text/plain")
            elif path.startswith("/reflect/"):
                seen = {
                    "target": self.path,  # as it came on the request line, encoded
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": raw.decode("utf-8", "replace"),
                }
                self._send(400, json.dumps(seen).encode(), "application/json")
            elif path == "/slow":
                release.wait(SLOW_LIMIT_SECONDS)
                self._send(200, b"{}", "application/json")
            else:
                self._send(404, b'{"error": "no route"}', "application/json")

        def _send(self, code: int, body: bytes, content_type: str, multi: bool = False) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if multi:
                self.send_header("X-Multi", "one")
                self.send_header("X-Multi", "two")
            self.end_headers()
            self.wfile.write(body)

    return Handler
