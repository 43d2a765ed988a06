"""Logging set-up: HTTP client libraries never log request URLs or headers (job data)."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.logs import setup_logging


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    names = ("httpx", "httpcore", "hpack", "pyzeebe")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_http_requests_are_not_logged_with_their_url(
    level: str, loopback_url: str, restore_logging: None
) -> None:
    handler = setup_logging(level)
    stream = io.StringIO()
    handler.setStream(stream)
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{loopback_url}/orders",
            params={"email": "alice@example.com"},
            headers={"Authorization": "Bearer derived-token-123"},
        )
    assert response.status_code == 200
    logging.getLogger("switchboard.test").warning("marker")
    output = stream.getvalue()
    assert "marker" in output  # the handler does write
    assert "alice" not in output
    assert "derived-token-123" not in output
    assert "/orders" not in output


def test_a_log_line_is_bounded_whatever_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from app.logs import setup_logging

    for fmt in ("text", "json"):
        handler = setup_logging("INFO", fmt, max_chars=300)
        try:
            logging.getLogger("switchboard.test").warning("%s", "x" * 100_000)
            try:
                raise ValueError("y" * 100_000)
            except ValueError:
                logging.getLogger("switchboard.test").exception("failed")
        finally:
            logging.getLogger().removeHandler(handler)
        lines = capsys.readouterr().err
        assert "x" * 300 in lines and "x" * 301 not in lines
        assert "[99700 more characters not logged]" in lines
        assert "y" * 301 not in lines
        assert len(lines) < 3000
