"""bench/fanout_viewers.py counts deliveries on raw reads, never per frame: a tag cut between
two reads must count once, and sampled and counting sockets together must see every frame."""

from __future__ import annotations

import asyncio

import websockets
from websockets.asyncio.server import serve

from bench.fanout import _event, _frame
from bench.fanout_viewers import CountingClient, Counts, Group
from livecommerce.realtime.sockets import ws_text_frame
from livecommerce.realtime.wire import Snapshot, Tick, encoder

HANDSHAKE = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"


async def test_tags_split_between_reads_count_once() -> None:
    frames = [encoder.encode(Snapshot(seq=0, payload={"room": 1}, counters={}))]
    frames += [_frame(i, _event(i, "pad", priority=i % 3 != 0)) for i in range(1, 40)]
    stream = HANDSHAKE + b"".join(ws_text_frame(f) for f in frames)
    ticks, priority = 39, sum(1 for i in range(1, 40) if i % 3 != 0)
    for size in (1, 2, 3, 5, 7, 13, 64, len(stream)):
        counts = Counts()
        client = CountingClient(b"GET / HTTP/1.1\r\n\r\n", counts)
        for at in range(0, len(stream), size):
            client.data_received(stream[at : at + size])
        assert client.upgraded.done() and client.live, size
        assert (counts.frames, counts.events, counts.priority) == (ticks, ticks, priority), size


async def test_group_sees_every_frame_on_every_socket() -> None:
    conns: set[object] = set()

    async def handler(ws: object) -> None:
        conns.add(ws)
        try:
            await ws.wait_closed()  # type: ignore[attr-defined]
        finally:
            conns.discard(ws)

    sockets, sent = 24, 30
    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        group = Group()
        connect = {"host": "127.0.0.1", "ports": [port], "path": "/", "n": sockets}
        assert await group.connect({**connect, "sample_every": 4}) == sockets
        async with asyncio.timeout(10):
            while len(conns) < sockets:  # noqa: ASYNC110 - the server registers them itself
                await asyncio.sleep(0.01)
        for i in range(sent):
            # One priority event and one chat line per frame, like ours@tick's frames.
            events = [_event(i, "x"), _event(-1, "y", priority=False)]
            tick = encoder.encode(Tick(seq=i, events=events, counters={}))
            websockets.broadcast(conns, tick.decode())  # type: ignore[arg-type]
        async with asyncio.timeout(10):
            while group.counts.frames < sockets * sent:  # noqa: ASYNC110 - counted on reads
                await asyncio.sleep(0.01)
        stats = group.stats()
        group.close()
    assert stats["frames"] == sockets * sent
    assert stats["priority"] == sockets * sent
    assert stats["events"] == 2 * sockets * sent
    assert stats["sampled"] == sockets // 4
    assert sum(stats["histogram"].values()) == (sockets // 4) * sent
