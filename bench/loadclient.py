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
