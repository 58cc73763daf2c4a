"""An idle socket drops the handshake's leftovers and still reads, writes, pauses and closes."""

from __future__ import annotations

import asyncio
import json

from livecommerce.realtime.lean import LeanEvent, LeanQueue
from tests.realtime.conftest import viewer, wait_for
from tests.support import next_frame


async def test_lean_queue_hands_items_in_order_to_a_waiting_reader() -> None:
    queue = LeanQueue()
    reader = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not reader.done()
    queue.put_nowait("a")
    queue.put_nowait("b")
    assert await reader == "a"
    assert (queue.qsize(), await queue.get(), queue.empty()) == (1, "b", True)


async def test_a_cancelled_reader_leaves_the_lean_queue_usable() -> None:
    queue = LeanQueue()
    reader = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    queue.put_nowait(1)
    assert await asyncio.wait_for(queue.get(), 1) == 1


async def test_lean_event_releases_every_waiter_when_set() -> None:
    event = LeanEvent(is_set=False)
    waiters = [asyncio.ensure_future(event.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    event.set()
    await asyncio.wait_for(asyncio.gather(*waiters), 1)
    event.clear()
    assert not event.is_set()


async def test_a_room_socket_is_slimmed_and_still_chats_and_closes(make_server) -> None:
    server = await make_server()
    async with viewer(server.url(user=1)) as speaker, viewer(server.url(user=2)) as listener:
        room = server.hub.rooms[1]
        await wait_for(lambda: _true(len(room.sockets) == 2))
        for sock in room.sockets.values():
            proto = sock._proto
            assert sock.fast
            assert type(proto.queue) is LeanQueue and type(proto.writable) is LeanEvent
            assert proto.request is None and proto.response is None
        # Several frames at once: uvicorn pauses reading while one is queued, then resumes.
        for n in range(5):
            await speaker.send(json.dumps({"type": "chat", "text": f"line {n}"}))
        await speaker.send(json.dumps({"type": "ping"}))
        await next_frame(speaker, "pong")
        seen: list[str] = []
        async with asyncio.timeout(5):
            while len(seen) < 5:
                frame = json.loads(await listener.recv())
                seen += [e["text"] for e in frame.get("events", []) if e["type"] == "chat"]
        assert seen == [f"line {n}" for n in range(5)]
        await speaker.close()
        assert speaker.close_code == 1000
        await wait_for(lambda: _true(len(room.sockets) == 1))


async def _true(value: bool) -> bool:
    return value
