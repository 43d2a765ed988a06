"""A tiny OAuth 2.0 token endpoint on loopback (client-credentials grant) for tests."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class TokenServer:
    """Serves ``POST /oauth/token``; records each request's form fields.

    ``status`` other than 200 makes it refuse; ``token`` is what it hands out.
    """

    def __init__(self, token: str = "token-1", expires_in: int = 3600) -> None:
        self.token = token
        self.expires_in = expires_in
        self.status = 200
        self.requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/oauth/token"

    def start(self) -> TokenServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = dict(urllib.parse.parse_qsl(body))
                owner.requests.append(form)
                if owner.status != 200 or self.path != "/oauth/token":
                    payload: dict[str, Any] = {"error": "invalid_client"}
                    status = owner.status if self.path == "/oauth/token" else 404
                else:
                    payload = {
                        "access_token": owner.token,
                        "token_type": "Bearer",
                        "expires_in": owner.expires_in,
                    }
                    status = 200
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
