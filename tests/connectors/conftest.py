"""Fixtures for the HTTP connector tests: loopback servers, a CA, a proxy process."""

from __future__ import annotations

import selectors
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from connectors._http import aclose
from tests.connectors.servers import LoopbackServer

PROXY_SCRIPT = Path(__file__).with_name("proxy_server.py")
PROXY_CREDENTIALS = ("proxy-user", "proxy-pass")


@pytest.fixture(autouse=True)
async def fresh_http_clients() -> AsyncIterator[None]:
    """Each test reads the environment afresh and leaves no client open."""
    await aclose()
    yield
    await aclose()


@pytest.fixture(scope="session")
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def server_127_0_0_2() -> Iterator[LoopbackServer]:
    """A second loopback address, the target of the host-rule tests."""
    srv = LoopbackServer(host="127.0.0.2").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_pem(ca: trustme.CA) -> str:
    return ca.cert_pem.bytes().decode()


@pytest.fixture(scope="session")
def https_server(ca: trustme.CA) -> Iterator[LoopbackServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    srv = LoopbackServer(tls=context).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def mtls_server(ca: trustme.CA) -> Iterator[LoopbackServer]:
    """Requires a client certificate issued by ``ca``.

    TLS 1.2, so a missing client certificate fails inside the handshake; with TLS 1.3 the
    server's rejection races with the client's first write and may surface as a reset.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    srv = LoopbackServer(tls=context).start()
    yield srv
    srv.stop()


@dataclass
class ProxyProcess:
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture(scope="session")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyProcess]:
    log = tmp_path_factory.mktemp("proxy") / "proxy.log"
    process = subprocess.Popen(
        [sys.executable, str(PROXY_SCRIPT), str(log), ":".join(PROXY_CREDENTIALS)],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 15
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        if selector.select(timeout=deadline - time.monotonic()):
            chunk = process.stdout.read1(100)  # type: ignore[attr-defined]
            if not chunk:
                break
            line += chunk
    selector.close()
    if not line.startswith(b"PORT "):
        process.kill()
        raise RuntimeError(f"the test proxy did not start: {line!r}")
    yield ProxyProcess(int(line.split()[1]), log, process)
    process.terminate()
    process.wait(10)
