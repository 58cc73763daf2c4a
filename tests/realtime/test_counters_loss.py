"""Redis losing a room's counters (a restart without persistence) versus a new session's reset."""

from __future__ import annotations

import json

from livecommerce.realtime import counters as room_counters
from tests.realtime.conftest import viewer, wait_for


async def test_counters_lost_by_redis_come_back_and_keep_counting(make_server, redis) -> None:
    a, b = await make_server(), await make_server()
    await room_counters.reset(redis, 1)  # the session starts: an epoch
    async with viewer(a.url(user=1)) as ws, viewer(b.url(user=2)):
        await ws.send(json.dumps({"type": "like", "count": 30}))
        # Both hubs must have read both viewers: whichever ticks first after the loss restores
        # from its own last reading (a reading a tick old would restore one viewer, not two).
        for hub in (a.hub, b.hub):
            await wait_for(lambda hub=hub: _is(hub.rooms[1].counters["likes"], 30))
            await wait_for(lambda hub=hub: _is(hub.rooms[1].counters["uniqueViewers"], 2))
            await wait_for(lambda hub=hub: _at_least(hub.rooms[1].counters["views"], 2))
        await redis.flushdb()  # the hash, the HyperLogLog and the epoch are gone
        await ws.send(json.dumps({"type": "like", "count": 4}))

        async def stored() -> bool:
            return (await room_counters.read(redis, 1))["likes"] == 34

        await wait_for(stored)
        for hub in (a.hub, b.hub):
            await wait_for(lambda hub=hub: _is(hub.rooms[1].counters["likes"], 34))
            assert (
                hub.rooms[1].counters["uniqueViewers"] >= 2 and hub.rooms[1].counters["views"] >= 2
            )


async def test_a_restore_from_an_older_reading_is_raised_back_by_the_other_process(
    make_server, redis
) -> None:
    a, b = await make_server(), await make_server()
    await room_counters.reset(redis, 1)
    async with viewer(a.url(user=1)) as ws, viewer(b.url(user=2)):
        await ws.send(json.dumps({"type": "like", "count": 30}))
        for hub in (a.hub, b.hub):
            await wait_for(lambda hub=hub: _is(hub.rooms[1].counters["likes"], 30))
            await wait_for(lambda hub=hub: _is(hub.rooms[1].counters["uniqueViewers"], 2))
        epoch = b.hub.rooms[1].epoch
        # Redis loses the room; the first process back restores a reading a counters interval old.
        older = {**b.hub.rooms[1].counters, "uniqueViewers": 1, "views": 1, "likes": 12}
        await redis.flushdb()
        await redis.register_script(room_counters.RESTORE_LUA)(
            keys=room_counters.keys(1)[:1], args=room_counters.restore_args(epoch, older)
        )

        async def raised() -> bool:
            read = await room_counters.read(redis, 1)
            return read["uniqueViewers"] >= 2 and read["views"] >= 2 and read["likes"] == 30

        await wait_for(raised)
        for hub in (a.hub, b.hub):
            assert (
                hub.rooms[1].counters["likes"] == 30 and hub.rooms[1].counters["uniqueViewers"] >= 2
            )


async def test_a_reset_for_a_new_session_is_taken_as_is(make_server, redis) -> None:
    a = await make_server()
    await room_counters.reset(redis, 1)
    async with viewer(a.url(user=1)) as ws:
        await ws.send(json.dumps({"type": "like", "count": 9}))
        await wait_for(lambda: _is(a.hub.rooms[1].counters["likes"], 9))
        await room_counters.reset(redis, 1)
        await ws.send(json.dumps({"type": "like", "count": 2}))
        await wait_for(lambda: _is(a.hub.rooms[1].counters["likes"], 2))


async def _is(value: int, expected: int) -> bool:
    return value == expected


async def _at_least(value: int, floor: int) -> bool:
    return value >= floor
