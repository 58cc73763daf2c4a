"""Counters: exact after a like storm, rebuilt after Redis loses them, saved as the session
report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random

from livecommerce.domains.live import jobs
from tests import cluster_mode
from tests.live.conftest import joined
from tests.support import create_room, go_live, next_frame


async def stats(client, host, room_id: int) -> dict:
    response = await client.get(f"/api/rooms/{room_id}/stats", headers=host.headers)
    assert response.status_code == 200, response.text
    return response.json()["counters"]


async def wait_counter(client, host, room_id: int, name: str, value: int) -> dict:
    async with asyncio.timeout(10):
        # A deliberate poll of the API: the counters live in the server, not in this task.
        while (found := await stats(client, host, room_id))[name] != value:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return found


async def test_likes_survive_redis_losing_the_counters_and_end_in_the_report(
    client, user_factory, migrated, room_url
) -> None:
    host = await user_factory("host", ["host"])
    fans = [await user_factory(f"fan{i}") for i in range(20)]
    room = await create_room(client, host)
    await go_live(client, host, room["id"])
    counts = [[random.randint(1, 50) for _ in range(15)] for _ in fans]
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            (await stack.enter_async_context(joined(room_url(room["id"]), fan)))[0] for fan in fans
        ]

        async def storm(ws, numbers) -> None:
            for n in numbers:  # within the like bucket's burst: none refused
                await ws.send(json.dumps({"type": "like", "count": n}))
            await ws.send(json.dumps({"type": "ping"}))
            await next_frame(ws, "pong")

        await asyncio.gather(*(storm(ws, c) for ws, c in zip(sockets, counts, strict=True)))
        total = sum(map(sum, counts))
        before = await wait_counter(client, host, room["id"], "likes", total)
        assert (before["uniqueViewers"], before["peak"], before["views"]) == (20, 20, 20)

        # Redis loses everything (a restart without persistence): the saved floor comes back.
        redis = cluster_mode.connect(migrated.redis_url)
        await redis.flushdb()
        assert (await jobs.checkpoint_live_sessions({"redis": redis})) == 1
        after = await stats(client, host, room["id"])
        assert {k: after[k] for k in ("likes", "uniqueViewers", "peak", "views")} == {
            "likes": total,
            "uniqueViewers": 20,
            "peak": 20,
            "views": 20,
        }
        await sockets[0].send(json.dumps({"type": "like", "count": 5}))
        await wait_counter(client, host, room["id"], "likes", total + 5)
        await redis.aclose()

    report = (await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)).json()
    assert (report["likes"], report["uniqueViewers"], report["peakOnline"], report["views"]) == (
        total + 5,
        20,
        20,
        20,
    )


async def test_a_new_session_starts_its_counters_from_zero(client, user_factory, room_url) -> None:
    host, fan = await user_factory("host", ["host"]), await user_factory("fan")
    room = await create_room(client, host)
    await go_live(client, host, room["id"])
    async with joined(room_url(room["id"]), fan) as (ws, _):
        await ws.send(json.dumps({"type": "like", "count": 9}))
        await wait_counter(client, host, room["id"], "likes", 9)
    first = (await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)).json()
    assert first["likes"] == 9
    await go_live(client, host, room["id"])
    assert (await stats(client, host, room["id"]))["likes"] == 0
