"""What the load benchmarks share of their hand-written HTTP/1.1 client (asyncio streams: the generator runs
on the same two cores as the service, so it must cost little per request)."""

from __future__ import annotations

import asyncio
import re


async def once(host: str, port: int, request: bytes) -> bytes:
    """One request on a new connection that the server closes after answering (``Connection: close``)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


def status_of(header: bytes) -> int:
    """The status code of a response's header, 0 if there is none."""
    match = re.match(rb"HTTP/1\.[01] (\d{3})", header)
    return int(match.group(1)) if match else 0


class Persistent:
    """A persistent HTTP/1.1 connection to ``host:port`` (reopened when the server closes it); answers with
    ``Content-Length`` only (what Django's JsonResponse sends)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> tuple[bytes, bytes]:
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            try:
                self.writer.write(request)
                await self.writer.drain()
                header = (await self.reader.readuntil(b"\r\n\r\n"))[:-4]
                length = re.search(rb"content-length: *(\d+)", header.lower())
                content = await self.reader.readexactly(int(length.group(1))) if length else await self.reader.read()
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if attempt:
                    raise
                continue
            if length is None or b"connection: close" in header.lower():
                self.close()
            return header, content
        raise ConnectionError("no answer")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class KeepAlive:
    """One persistent HTTP/1.1 connection carrying one client's requests one after another (as nginx's upstream
    keepalive does in front of threaded gunicorn workers); reopened when the server closes it. The answers are
    expected to carry a Content-Length (Django's JSON responses do)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> bytes:
        """The response's header and body (as :func:`once` returns them)."""
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            try:
                self.writer.write(request)
                await self.writer.drain()
                header = await self.reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"content-length: *(\d+)", header.lower())
                if length is None:
                    body = await self.reader.read()
                    self.close()
                else:
                    body = await self.reader.readexactly(int(length.group(1)))
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if attempt:
                    raise
                continue
            if b"connection: close" in header.lower():
                self.close()
            return header + body
        raise ConnectionError("no answer")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
