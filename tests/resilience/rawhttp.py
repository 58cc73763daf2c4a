"""A pool of keep-alive HTTP/1.1 connections that cost the test little per request.

httpx spends a few milliseconds of Python per request: a 20,000-callback storm from it
measures the client. This reuses the bench's asyncio Protocol (prebuilt request bytes,
status line + Content-Length parsing)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from bench.loadgen import HttpConnection


class RawPool:
    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.size = size
        self.idle: asyncio.Queue[HttpConnection] = asyncio.Queue()

    async def __aenter__(self) -> RawPool:
        loop = asyncio.get_running_loop()
        for _ in range(self.size):
            _, conn = await loop.create_connection(HttpConnection, self.host, self.port)
            self.idle.put_nowait(conn)
        return self

    async def __aexit__(self, *_: object) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().close()

    async def post(
        self, path: str, body: bytes, headers: dict[str, str], retries: int = 2
    ) -> tuple[int, bytes]:
        """POST and return (status, body). A dropped connection is replaced and the request re-sent:
        only for requests that are safe to repeat (signed callbacks, keyed orders)."""
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        data = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        conn = await self.idle.get()
        try:
            for attempt in range(retries + 1):
                try:
                    if conn.closed:
                        _, conn = await asyncio.get_running_loop().create_connection(
                            HttpConnection, self.host, self.port
                        )
                    return await conn.request(data, 60)
                except (ConnectionError, OSError):
                    conn.close()
                    conn.closed = True
                    if attempt == retries:
                        raise
                    await asyncio.sleep(0.05)
            raise AssertionError("unreachable")
        finally:
            with contextlib.suppress(asyncio.QueueFull):
                self.idle.put_nowait(conn)
