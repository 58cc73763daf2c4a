"""Events and counters across hub instances that share only Redis (as api processes do)."""

from __future__ import annotations

import asyncio
import collections
import json
import random

import msgspec
import websockets

from livecommerce.realtime import make_event
from tests.realtime.conftest import FAST, ORIGIN, viewer, wait_for
from tests.support import frames, next_frame


async def test_two_hubs_deliver_each_others_events_exactly_once(make_server) -> None:
    a, b = await make_server(), await make_server()
    async with viewer(a.url(user=1)) as on_a, viewer(b.url(user=2)) as on_b:
        # Through Litestar's and our wrapping middleware, the sockets found uvicorn's transport.
        assert all(s.fast for hub in (a.hub, b.hub) for s in hub.rooms[1].sockets.values())
        expected = set()
        for i in range(30):
            hub = a.hub if i % 2 else b.hub
            await hub.publish(1, make_event("pin", productId=i, eid=f"pin-{i}"))
            expected.add(f"pin-{i}")
            if i % 10 == 0:
                await asyncio.sleep(FAST.tick_interval)
        for ws, i in ((on_a, 0), (on_b, 1)):
            await ws.send(json.dumps({"type": "chat", "text": f"hello {i}"}))
        # A process with no viewer of the room publishes straight to Redis.
        c = await make_server()
        await c.hub.publish(1, make_event("purchase", eid="buy-1"))
        expected.add("buy-1")

        for ws in (on_a, on_b):
            seen: collections.Counter[str] = collections.Counter()
            async for frame in frames(ws, quiet=1.0):
                for event in frame.get("events", []):
                    seen[event.get("eid") or event.get("text")] += 1
            assert {k: v for k, v in seen.items() if v != 1} == {}
            assert set(seen) == expected | {"hello 0", "hello 1"}


async def test_like_counters_are_exact_after_a_storm_from_many_sockets(make_server, redis) -> None:
    a, b = await make_server(), await make_server()
    counts = [[random.randint(1, 50) for _ in range(40)] for _ in range(50)]

    async def liker(i: int) -> None:
        server = a if i % 2 else b
        async with viewer(server.url(user=i + 1), ping_interval=None) as ws:
            await asyncio.gather(
                *(ws.send(json.dumps({"type": "like", "count": n})) for n in counts[i])
            )
            await ws.send(json.dumps({"type": "ping"}))
            await next_frame(ws, "pong")  # every like before it has been read by the server

    await asyncio.gather(*(liker(i) for i in range(50)))
    total = sum(map(sum, counts))

    async def settled() -> bool:
        return (await a.hub.counters(1))["likes"] == total

    await wait_for(settled)
    await asyncio.sleep(FAST.tick_interval * 4)  # and nothing arrives twice later
    result = await a.hub.counters(1)
    assert result["likes"] == total
    assert result["views"] == 50 and result["uniqueViewers"] == 50 and result["peak"] >= 1
    assert result["online"] == 0


async def test_online_counts_sockets_on_every_process_and_peak_keeps_the_maximum(
    make_server,
) -> None:
    a, b = await make_server(), await make_server()
    async with viewer(a.url(user=1)), viewer(a.url(user=2)), viewer(b.url()) as guest:

        async def three() -> bool:
            return (await b.hub.counters(1))["online"] == 3

        await wait_for(three)
        tick = await next_frame(guest, "tick")
        assert "counters" in tick

    async def none() -> bool:
        return (await a.hub.counters(1))["online"] == 0

    await wait_for(none)
    assert (await a.hub.counters(1))["peak"] == 3


async def test_a_crashed_process_stops_counting_online_after_the_presence_ttl(make_server) -> None:
    a, b = await make_server(), await make_server()
    async with viewer(a.url(user=1)), viewer(b.url(user=2)):

        async def two() -> bool:
            return (await a.hub.counters(1))["online"] == 2

        await wait_for(two)
        # b "dies": its tick loop stops without a final flush, its presence is left behind.
        for room in list(b.hub.rooms.values()):
            assert room.task is not None
            room.task.cancel()
        await asyncio.sleep(FAST.presence_ttl / 2)
        assert (await a.hub.counters(1))["online"] == 2  # not yet expired

        async def one() -> bool:
            return (await a.hub.counters(1))["online"] == 1

        await wait_for(one, within=FAST.presence_ttl * 5)


async def test_snapshot_comes_first_with_the_counters(make_server) -> None:
    a = await make_server()
    async with websockets.connect(a.url(7, user=5), origin=ORIGIN) as ws:
        frame = msgspec.json.decode(await ws.recv())
        assert frame["type"] == "snapshot"
        assert frame["payload"] == {"room": 7, "pinned": None, "viewer": "user5"}
        assert set(frame["counters"]) >= {"online", "likes", "uniqueViewers"}
