"""Realtime tests need only Redis: an embedded one per module, and minimal apps holding the room
route.

Auth is trivial here (`?user=ID` becomes an Actor); the real app maps its JWT to the same
`scope["user"]`. A wrapping middleware stands in for app.py's request-id middleware, so the
fast path is proven to survive it (tests assert the sockets took it).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import websockets
from litestar import Litestar
from litestar.types import ASGIApp, Receive, Scope, Send
from redis.asyncio import Redis

from livecommerce.infra import redis as redis_infra
from livecommerce.infra.auth import Actor
from livecommerce.infra.embedded import EmbeddedRedis
from livecommerce.realtime import HubConfig, RoomHub, room_socket
from tests import cluster_mode
from tests.support import LiveServer, next_frame

first = next_frame  # the name some realtime tests import from here

ORIGIN = "http://shop.example"

# Small timings so the behaviours show within seconds.
FAST = HubConfig(
    tick_interval=0.05,
    counters_interval=0.05,
    presence_ttl=1.0,
    idle_timeout=30.0,
    close_grace=0.5,
    chat_rate=20.0,
    chat_burst=20.0,
    like_rate=50.0,
    like_burst=50.0,
)


def query_user(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode())
        if "user" in query:
            user_id = int(query["user"][0])
            scope["user"] = Actor(id=user_id, username=f"user{user_id}", roles=frozenset())  # type: ignore[typeddict-unknown-key]
        await app(scope, receive, send)

    return middleware


def wrapping(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_wrapper(message: Any) -> None:
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


async def snapshot(room_id: int, actor: Actor | None) -> dict[str, Any]:
    return {"room": room_id, "pinned": None, "viewer": actor.username if actor else None}


async def authorize(room_id: int, actor: Actor, text: str) -> bool:
    return actor.id >= 1000  # "hosts" in these tests: their lines are priority


@pytest.fixture(scope="module")
def redis_url(request: pytest.FixtureRequest) -> Any:
    if cluster_mode.ENABLED:  # the session's Redis Cluster (tests/conftest.py)
        yield request.getfixturevalue("servers")["redis_url"]
        return
    server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="lc-rt-redis-")), durable=False)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = cluster_mode.connect(redis_url)
    await client.flushdb()
    yield client
    await redis_infra.aclose(client)


class HubServer:
    def __init__(self, hub: RoomHub, server: LiveServer) -> None:
        self.hub = hub
        self.server = server

    def url(self, room_id: int = 1, **query: Any) -> str:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        return f"{self.server.ws_url}/ws/rooms/{room_id}" + (f"?{qs}" if qs else "")


@pytest.fixture
async def make_server(redis_url: str, redis: Redis) -> AsyncIterator[Callable[..., Any]]:
    """Start a hub + uvicorn server (each its own Redis client, like separate api processes), on an
    empty Redis."""
    started: list[tuple[HubServer, Redis]] = []

    async def factory(config: HubConfig = FAST) -> HubServer:
        client = cluster_mode.connect(redis_url)
        hub = RoomHub(client, config)
        middleware = [wrapping, query_user]
        app = Litestar(
            route_handlers=[
                room_socket(
                    snapshot=snapshot, authorize_chat=authorize, allowed_origins=[ORIGIN], hub=hub
                )
            ],
            middleware=middleware,
        )
        server = LiveServer(app)
        await server.start()
        started.append((HubServer(hub, server), client))
        return started[-1][0]

    yield factory
    for item, client in started:
        await item.hub.stop()
        await item.server.stop()
        await redis_infra.aclose(client)


@contextlib.asynccontextmanager
async def viewer(url: str, **kwargs: Any) -> AsyncIterator[Any]:
    """A connected client that has read its snapshot."""
    kwargs.setdefault("origin", ORIGIN)
    async with websockets.connect(url, **kwargs) as ws:
        await next_frame(ws, "snapshot")
        yield ws


async def wait_for(predicate: Callable[[], Any], within: float = 10.0, step: float = 0.05) -> None:
    async with asyncio.timeout(within):
        while not await predicate():  # noqa: ASYNC110 - polling Redis, nothing to wait on
            await asyncio.sleep(step)
