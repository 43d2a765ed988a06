"""A small forward proxy for the tests, run as its own process on 127.0.0.1.

Usage: python proxy_server.py LOGFILE [USER:PASSWORD]. Prints "PORT <n>" once listening.
Supports absolute-form requests (plain HTTP, adds a Via header) and CONNECT tunnels; with
credentials, requires Proxy-Authorization: Basic. Logs one line per request before
forwarding it.
"""

from __future__ import annotations

import asyncio
import base64
import sys

VIA = "1.1 switchboard-test-proxy"


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


class Proxy:
    def __init__(self, log_path: str, credentials: str | None) -> None:
        self.log_path = log_path
        self.expected = (
            "Basic " + base64.b64encode(credentials.encode()).decode() if credentials else None
        )

    def log(self, line: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = [tuple(line.split(":", 1)) for line in lines[1:] if ":" in line]
        auth = next((v.strip() for k, v in headers if k.lower() == "proxy-authorization"), None)
        if self.expected is not None and auth != self.expected:
            self.log(f"DENIED {method} {target}")
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                b"Connection: close\r\n\r\n"
            )
            await writer.drain()
            writer.close()
            return
        self.log(f"{method} {target}")
        if method == "CONNECT":
            await self.tunnel(target, reader, writer)
        else:
            await self.forward(method, target, version, headers, reader, writer)

    async def tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, port = target.rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def forward(
        self,
        method: str,
        target: str,
        version: str,
        headers: list[tuple[str, ...]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        rest = target.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        host, _, port = authority.rpartition(":")
        length = 0
        out = [f"{method} /{path} {version}"]
        for name, value in headers:
            lower = name.lower()
            if lower in ("proxy-authorization", "proxy-connection", "connection", "keep-alive"):
                continue
            if lower == "content-length":
                length = int(value)
            out.append(f"{name}:{value}")
        out += [f"Via: {VIA}", "Connection: close", "", ""]
        body = await reader.readexactly(length) if length else b""
        up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port or 80))
        up_writer.write("\r\n".join(out).encode("latin-1") + body)
        await up_writer.drain()
        await pipe(up_reader, writer)
        up_writer.close()


async def main() -> None:
    proxy = Proxy(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
