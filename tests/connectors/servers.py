"""Real HTTP(S) servers on loopback for the HTTP connector tests (stdlib, one thread each)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

STALL_LIMIT_SECONDS = 10.0


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    peer: tuple[str, int] = ("", 0)  # the client's address: one per TCP connection
    alpn: str | None = None  # the protocol negotiated with ALPN (TLS only)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None
    stall: threading.Event | None = None  # wait for this before answering
    no_length: bool = False  # no Content-Length: body ends when the connection closes

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Route = Callable[[Seen], Reply]


def echo(seen: Seen) -> Reply:
    """Answers with what was received."""
    return Reply(
        body={
            "method": seen.method,
            "target": seen.target,
            "headers": seen.headers,
            "body": seen.body.decode("utf-8", "replace"),
        },
        headers=[("Content-Type", "application/json")],
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        alpn = getattr(self.connection, "selected_alpn_protocol", None)
        seen = Seen(
            self.command,
            self.path,
            list(self.headers.items()),
            body,
            self.client_address[:2],
            alpn() if alpn is not None else None,
        )
        self.server.record(seen)
        route = self.server.routes.get(seen.path, echo)
        reply = route(seen)
        if reply.stall is not None:
            reply.stall.wait(STALL_LIMIT_SECONDS)
        payload = reply.encoded()
        self.send_response(reply.status, reply.reason)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class LoopbackServer(ThreadingHTTPServer):
    """Routes by path (default: echo); records every request."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        super().__init__((host, 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._tls = tls
        self.stalls: list[threading.Event] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self._tls is not None:
            # The handshake happens in the handler thread, on first read.
            sock = self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed handshakes and reset connections are expected in these tests

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def stall(self) -> threading.Event:
        event = threading.Event()
        self.stalls.append(event)
        return event

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        for event in self.stalls:
            event.set()
        self.shutdown()
        self.server_close()
        self._thread.join(5)


class BlackholeListener:
    """A listening socket whose accept queue is full, so new connections never complete."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(64):
            probe = socket.socket()
            probe.settimeout(0.2)
            try:
                probe.connect(("127.0.0.1", self.port))
            except OSError:
                probe.close()
                return
            self._fillers.append(probe)
        raise RuntimeError("could not fill the accept queue of the blackhole listener")

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self.sock.close()
