"""Room sockets against the real app: JWT in a header or cookie, the Origin the page would send."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from tests.support import LiveServer, TestUser


@pytest.fixture
def room_url(live: LiveServer):
    def url(room_id: int, server: LiveServer | None = None) -> str:
        return f"{(server or live).ws_url}/ws/rooms/{room_id}"

    return url


@contextlib.asynccontextmanager
async def joined(
    url: str, user: TestUser | None = None, **kwargs: Any
) -> AsyncIterator[tuple[Any, dict[str, Any]]]:
    """A socket of the room that has read its snapshot: (socket, snapshot frame)."""
    origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]
    headers = user.headers if user else {}
    async with websockets.connect(url, origin=origin, additional_headers=headers, **kwargs) as ws:
        snapshot = await next_of(ws, "snapshot")
        yield ws, snapshot


async def next_of(ws: Any, kind: str, within: float = 5.0) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def event_of(ws: Any, kind: str, within: float = 5.0, **match: Any) -> dict[str, Any]:
    """The first event of `kind` (with these fields) in the tick frames."""
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await ws.recv())
            for event in frame.get("events", []):
                if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
                    return event


async def events_for(ws: Any, quiet: float = 0.8) -> list[dict[str, Any]]:
    """Every event until `quiet` seconds pass without a frame."""
    seen: list[dict[str, Any]] = []
    while True:
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), quiet))
        except TimeoutError:
            return seen
        seen += frame.get("events", [])
