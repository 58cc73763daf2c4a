"""Per-connection limits and slow consumers: every abuse ends in an error frame or a close, never a
stall."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket

import msgspec
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from livecommerce.realtime import make_event
from tests.realtime.conftest import FAST, ORIGIN, viewer, wait_for
from tests.support import events_for, frames, next_frame


async def _closed_code(ws: websockets.ClientConnection, within: float = 5.0) -> int | None:
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(within):
            while True:
                await ws.recv()
    assert ws.close_code is not None
    return ws.close_code


async def test_a_guest_may_watch_but_not_chat_or_like(make_server) -> None:
    a = await make_server()
    async with viewer(a.url()) as guest, viewer(a.url(user=1)) as other:
        await guest.send(json.dumps({"type": "chat", "text": "hi"}))
        assert (await next_frame(guest, "error"))["code"] == "login_required"
        await guest.send(json.dumps({"type": "like", "count": 5}))
        assert (await next_frame(guest, "error"))["code"] == "login_required"
        await a.hub.publish(1, make_event("pin", eid="after"))
        events = await events_for(other, 1.0)
        assert [e.get("eid") for e in events] == ["after"]  # the guest's line never went out
        assert (await a.hub.counters(1))["likes"] == 0


async def test_a_foreign_origin_is_refused_at_the_handshake(make_server) -> None:
    a = await make_server()
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(a.url(user=1), origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    assert a.hub.local_count(1) == 0
    async with viewer(a.url(user=1), origin=ORIGIN):
        pass


async def test_an_oversize_frame_closes_with_1009(make_server) -> None:
    a = await make_server()
    async with viewer(a.url(user=1)) as ws:
        await ws.send(json.dumps({"type": "chat", "text": "x" * (FAST.max_frame_bytes + 1)}))
        assert await _closed_code(ws) == 1009


async def test_chat_flood_is_throttled_then_closed(make_server) -> None:
    a = await make_server()
    async with viewer(a.url(user=1)) as ws:
        received: list[dict] = []

        async def read() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for raw in ws:
                    # one by one: the frames read before the close must survive ConnectionClosed
                    received.append(json.loads(raw))  # noqa: PERF401

        reader = asyncio.create_task(read())
        with contextlib.suppress(ConnectionClosed):  # the server may close before we stop
            for i in range(int(FAST.chat_burst) + FAST.max_strikes + 5):
                await ws.send(json.dumps({"type": "chat", "text": f"spam {i}"}))
        async with asyncio.timeout(5):
            await reader
        errors = [f["code"] for f in received if f["type"] == "error"]
        assert errors and set(errors) == {"rate_limited"}
        assert ws.close_code == 1008
    assert (await a.hub.counters(1))["comments"] <= FAST.chat_burst + 1


async def test_a_stalled_reader_is_dropped_while_the_others_keep_receiving(make_server) -> None:
    config = msgspec.structs.replace(FAST, max_buffered_bytes=64 * 1024)
    a = await make_server(config)
    async with (
        viewer(a.url(user=1)) as fast1,
        viewer(a.url(user=2)) as fast2,
        viewer(a.url(user=3), max_size=None, ping_interval=None) as stalled,
    ):
        raw = stalled.transport.get_extra_info("socket")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.transport.pause_reading()  # the client stops reading: the server's buffer grows

        async def drain(ws: websockets.ClientConnection) -> set[str]:
            got: set[str] = set()
            async for frame in frames(ws, quiet=2.0):
                got.update(e["eid"] for e in frame.get("events", []))
            return got

        readers = [asyncio.create_task(drain(ws)) for ws in (fast1, fast2)]
        sent = set()
        for i in range(200):  # ~6 MB through a reader that takes nothing
            await a.hub.publish(1, make_event("coupon", eid=f"c{i}", blob="x" * 30_000))
            sent.add(f"c{i}")
            if i % 10 == 9:
                await asyncio.sleep(FAST.tick_interval)

        async def dropped() -> bool:
            return a.hub.local_count(1) == 2

        await wait_for(dropped)
        assert await readers[0] == sent and await readers[1] == sent


async def test_priority_events_are_never_dropped_while_chat_is_sampled(make_server) -> None:
    config = msgspec.structs.replace(FAST, chat_per_tick=5)
    a = await make_server(config)
    async with viewer(a.url(user=1)) as ws:
        burst = []
        for i in range(400):
            if i % 10 == 0:
                burst.append(make_event("red_packet", eid=f"p{i}"))
            burst.append(make_event("chat", eid=f"chat{i}", text="hello"))
        burst.append(make_event("chat", priority=True, eid="host-line", text="welcome"))
        await a.hub.publish(1, *burst)
        priority, chat, per_tick = set(), 0, []
        async for frame in frames(ws, quiet=1.0):
            lines = [e for e in frame.get("events", []) if not e["priority"]]
            per_tick.append(len(lines))
            chat += len(lines)
            priority.update(e["eid"] for e in frame.get("events", []) if e["priority"])
        assert priority == {f"p{i}" for i in range(0, 400, 10)} | {"host-line"}
        assert max(per_tick) <= 5 and chat < 400


async def test_a_silent_socket_stops_counting_online_after_the_idle_timeout(make_server) -> None:
    config = msgspec.structs.replace(FAST, idle_timeout=1.0)
    a = await make_server(config)
    async with (
        viewer(a.url(user=1), ping_interval=None) as alive,
        viewer(a.url(user=2), ping_interval=None) as silent,
    ):
        # Killed without a close: no close frame, no FIN, nothing read or sent any more.
        silent.transport.pause_reading()

        async def two() -> bool:
            return (await a.hub.counters(1))["online"] == 2

        await wait_for(two)

        async def keep_alive() -> None:
            while True:
                await alive.send(json.dumps({"type": "ping"}))
                await asyncio.sleep(0.3)

        pinger = asyncio.create_task(keep_alive())

        async def one() -> bool:
            return (await a.hub.counters(1))["online"] == 1

        await wait_for(one, within=config.idle_timeout * 6)
        assert a.hub.local_count(1) == 1
        pinger.cancel()
        silent.transport.abort()


async def test_a_frame_nested_two_thousand_deep_is_a_bad_frame_and_the_socket_stays(
    make_server,
) -> None:
    a = await make_server()
    deep = [
        '{"type":"chat","text":"x","z":' + "[" * 2000 + "]" * 2000 + "}",  # in an ignored field
        '{"type":"like","count":1,"z":' + '{"a":[' * 500 + "1" + "]}" * 500 + "}",
        '{"z":' + "[" * 2000 + "]" * 2000 + ',"type":"ping"}',
    ]
    assert all(len(frame) <= FAST.max_frame_bytes for frame in deep)
    async with viewer(a.url(user=1)) as ws:
        for frame in deep:
            await ws.send(frame)
            error = await next_frame(ws, "error")
            assert error["code"] == "bad_frame", error
            await ws.send(json.dumps({"type": "ping"}))
            await next_frame(ws, "pong")  # still served
        # Each one was a strike: a client that keeps sending them is closed like any other.
        for _ in range(FAST.max_strikes + 1):
            await ws.send(deep[0])
        assert await _closed_code(ws) == 1008


async def test_fresh_guest_ids_per_address_stop_at_the_budget(make_server) -> None:
    config = msgspec.structs.replace(FAST, guest_ids_burst=3, guest_ids_rate=0.001)
    a = await make_server(config)
    issued = []
    for _ in range(5):
        async with websockets.connect(a.url(), origin=ORIGIN) as ws:
            issued.append((await next_frame(ws, "snapshot")).get("guestId"))
    assert all(issued[:3]) and issued[3:] == [None, None]  # still served, counted as the address
    async with websockets.connect(a.url(guest=issued[0]), origin=ORIGIN) as ws:
        assert "guestId" not in await next_frame(ws, "snapshot")  # a valid one needs nothing new
