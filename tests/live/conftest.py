"""Room sockets against the real app: JWT in a header or cookie, the Origin the page would send."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from tests.support import LiveServer, TestUser, next_frame
from tests.support import events_for as events_for  # re-exported: room tests import it from here

next_of = next_frame  # the name some room tests import from here


@pytest.fixture(autouse=True)
async def rooms_left(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After a test, wait until the server's hub has let go of its rooms: room ids start again
    at 1 in the next test, and a room still in the hub (a socket closing, deltas not yet flushed)
    would carry this test's viewers into it."""
    yield
    if "live" not in request.fixturenames:
        return
    hub = request.getfixturevalue("live").app.state.hub
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            # A poll of the server's own state: nothing signals a socket that finished closing.
            while hub.rooms:  # noqa: ASYNC110
                await asyncio.sleep(0.05)


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
        snapshot = await next_frame(ws, "snapshot")
        yield ws, snapshot


async def event_of(ws: Any, kind: str, within: float = 5.0, **match: Any) -> dict[str, Any]:
    """The first event of `kind` (with these fields) in the tick frames."""

    def wanted(event: dict[str, Any]) -> bool:
        return event["type"] == kind and all(event.get(k) == v for k, v in match.items())

    frame = await next_frame(
        ws, within=within, where=lambda f: any(map(wanted, f.get("events", [])))
    )
    return next(event for event in frame["events"] if wanted(event))
