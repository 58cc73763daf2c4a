"""Redis killed and restarted under two hubs: a room joined while it is away is served locally at
once and hears the other process again once Redis is back, without reconnecting anyone."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

from litestar import Litestar
from redis.asyncio import Redis

from livecommerce.infra.embedded import EmbeddedRedis
from livecommerce.realtime import RoomHub, room_socket
from tests.realtime.conftest import FAST, ORIGIN, authorize, query_user, snapshot, viewer
from tests.support import LiveServer, next_frame


async def _hub_server(redis_url: str) -> tuple[RoomHub, LiveServer, Redis]:
    client = Redis.from_url(redis_url)
    hub = RoomHub(client, FAST)
    app = Litestar(
        route_handlers=[
            room_socket(
                snapshot=snapshot, authorize_chat=authorize, allowed_origins=[ORIGIN], hub=hub
            )
        ],
        middleware=[query_user],
    )
    server = LiveServer(app)
    await server.start()
    return hub, server, client


async def _hears(ws: Any, speaker: Any, text: str, within: float = 30.0) -> None:
    """Say `text` every half second until `ws` reads it (pub/sub drops what is sent while it is
    away)."""

    def heard(frame: dict[str, Any]) -> bool:
        return any(e.get("text") == text for e in frame.get("events", []))

    async with asyncio.timeout(within):
        while True:
            await speaker.send(json.dumps({"type": "chat", "text": text}))
            try:
                await next_frame(ws, within=0.5, where=heard)
                return
            except TimeoutError:
                continue


async def test_a_room_joined_while_redis_is_away_hears_the_other_process_once_it_is_back(
    tmp_path: Path,
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    url = redis.start()
    started = [await _hub_server(url), await _hub_server(url)]
    (hub_a, server_a, _), (_, server_b, _) = started
    try:
        async with viewer(f"{server_b.ws_url}/ws/rooms/1?user=1") as on_b:
            redis.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            await asyncio.to_thread(redis.proc.wait, 10)  # type: ignore[union-attr]
            # Room 1 is new to process A: its SUBSCRIBE fails, the join must not.
            async with viewer(f"{server_a.ws_url}/ws/rooms/1?user=2") as on_a:
                assert hub_a.local_count(1) == 1
                redis.start()  # same port, empty
                await _hears(on_a, on_b, "from B after the restart")
                await _hears(on_b, on_a, "from A after the restart")
    finally:
        for hub, server, client in started:
            await hub.stop()
            await server.stop()
            await client.aclose()
        redis.stop()
