"""Two api processes that share only PostgreSQL and Redis serve one room as one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx

from livecommerce.infra.embedded import free_port
from tests.live.conftest import event_of, joined
from tests.support import live_room_with_product, next_frame, pay_through_sandbox, place_order


@contextlib.asynccontextmanager
async def second_api(settings) -> AsyncIterator[str]:
    """`uvicorn --factory livecommerce.app:create_app_from_env` in its own process, as in
    production."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "QUEUE_REDIS_URL": settings.queue_redis_url or "",  # set when REDIS_URL is a cluster
        "SECRET_KEY": settings.secret_key,
        "ENV": "test",
        "LOG_LEVEL": "warning",
    }
    proc = subprocess.Popen(  # noqa: ASYNC220 - starting it is instant; we poll it below
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "livecommerce.app:create_app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets-sansio",
            "--ws-per-message-deflate",
            "false",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(30):
            while True:
                assert proc.poll() is None, "the second api process died"
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


async def test_viewers_on_two_processes_see_each_others_chat_and_the_same_counters(
    client, user_factory, migrated, room_url
) -> None:
    host, alice, bob = (
        await user_factory("host", ["host"]),
        await user_factory("alice"),
        await user_factory("bob"),
    )
    room, item = await live_room_with_product(client, host, price=1200)
    async with second_api(migrated) as other:
        other_ws = other.replace("http", "ws") + f"/ws/rooms/{room['id']}"
        async with (
            joined(room_url(room["id"]), alice) as (on_a, _),
            joined(other_ws, bob) as (on_b, _),
        ):
            await on_a.send(json.dumps({"type": "chat", "text": "from process A"}))
            await on_b.send(json.dumps({"type": "chat", "text": "from process B"}))
            await event_of(on_b, "chat", text="from process A")
            await event_of(on_a, "chat", text="from process B")
            # A pin made through process B's HTTP API reaches process A's viewer.
            async with httpx.AsyncClient(base_url=other) as http_b:
                await http_b.post(
                    f"/api/rooms/{room['id']}/pin",
                    json={"productId": item["id"]},
                    headers=host.headers,
                )
            await event_of(on_a, "pin")
            placed = await place_order(client, alice, item["skus"][0]["id"], roomId=room["id"])
            await pay_through_sandbox(client, alice, placed.json()["id"])
            await event_of(on_b, "purchase")
            for ws, n in ((on_a, 7), (on_b, 5)):
                await ws.send(json.dumps({"type": "like", "count": n}))

            def twelve_likes(frame: dict) -> bool:
                return frame.get("counters", {}).get("likes") == 12

            await asyncio.gather(
                *(next_frame(ws, within=10, where=twelve_likes) for ws in (on_a, on_b))
            )
            async with httpx.AsyncClient(base_url=other) as http_b:
                for http in (client, http_b):
                    stats = (
                        await http.get(f"/api/rooms/{room['id']}/stats", headers=host.headers)
                    ).json()["counters"]
                    assert {
                        k: stats[k]
                        for k in ("online", "likes", "comments", "orders", "gmv", "uniqueViewers")
                    } == {
                        "online": 2,
                        "likes": 12,
                        "comments": 2,
                        "orders": 1,
                        "gmv": 1200,
                        "uniqueViewers": 2,
                    }
