"""The room's fast write path is taken on the uvicorn we pin, and the ASGI fallback still works.

The fast path (livecommerce/realtime/sockets.py) reads private objects of uvicorn and
websockets. A version whose internals changed must fail here, not quietly send every frame
through the slower ASGI path: run this file after any bump of uvicorn, websockets or uvloop.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import uvloop
import websockets
from litestar import Litestar
from redis.asyncio import Redis
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.server import ServerProtocol

from livecommerce.realtime import RoomHub, make_event, room_socket, sockets
from livecommerce.realtime.sockets import FAST_PATH_ENV, PROTOCOL_TYPE, Socket, choose_path
from tests import cluster_mode
from tests.live.conftest import joined
from tests.realtime.conftest import FAST, ORIGIN, query_user, snapshot, viewer, wrapping
from tests.support import LiveServer, create_room


@pytest.fixture(autouse=True)
def fast_path_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is under test is uvicorn's internals, not this environment's kill switch."""
    monkeypatch.delenv(FAST_PATH_ENV, raising=False)


def only_socket(hub: RoomHub, room_id: int) -> Socket:
    (sock,) = hub.rooms[room_id].sockets.values()
    return sock


async def event_in_ticks(ws: Any, eid: str, within: float = 5.0) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            frame = json.loads(await ws.recv())
            for event in frame.get("events", []) if frame["type"] == "tick" else []:
                if event.get("eid") == eid:
                    return event


def took_the_fast_path(sock: Socket) -> None:
    # The reason is the message: which expected internal was missing.
    assert sock.fallback_reason is None, sock.fallback_reason
    assert sock.fast
    # Snapshot and ticks went to the transport: the ASGI writer was never started.
    assert sock._writer is None and sock._queue is None


# --- on the real servers -------------------------------------------------------------------


async def test_a_viewer_of_the_real_app_gets_its_frames_by_the_fast_path(
    client, user_factory, live
) -> None:
    """The whole app (its middleware stack included), as `livecommerce up` serves it."""
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    hub: RoomHub = live.app.state.hub
    fast_before = sockets.paths.fast
    async with joined(f"{live.ws_url}/ws/rooms/{room['id']}", host) as (ws, _):
        sock = only_socket(hub, room["id"])
        took_the_fast_path(sock)
        await hub.publish(room["id"], make_event("notice", eid="fast-1"))
        await event_in_ticks(ws, "fast-1")
        took_the_fast_path(sock)
    assert sockets.paths.fast == fast_before + 1


def serve_one_viewer_on_uvloop(redis_url: str) -> tuple[str | None, str]:
    """`livecommerce serve` runs uvicorn on uvloop: a room socket there, in its own loop."""

    async def main() -> tuple[str | None, str]:
        redis = cluster_mode.connect(redis_url)
        hub = RoomHub(redis, FAST)
        route = room_socket(snapshot=snapshot, allowed_origins=[ORIGIN], hub=hub)
        server = LiveServer(Litestar([route], middleware=[wrapping, query_user]))
        await server.start()
        try:
            async with viewer(f"{server.ws_url}/ws/rooms/3?user=1") as ws:
                sock = only_socket(hub, 3)
                await hub.publish(3, make_event("notice", eid="uv-1"))
                await event_in_ticks(ws, "uv-1")
                took_the_fast_path(sock)
                return sock.fallback_reason, type(sock._transport).__module__
        finally:
            await hub.stop()
            await server.stop()
            await redis.aclose()

    return uvloop.run(main())


async def test_the_fast_path_is_taken_on_uvloop_too(redis_url: str, redis: Redis) -> None:
    reason, transport_module = await asyncio.to_thread(serve_one_viewer_on_uvloop, redis_url)
    assert reason is None
    assert transport_module.startswith("uvloop")


async def test_with_the_fast_path_off_viewers_get_every_frame_through_asgi_send(
    make_server, monkeypatch
) -> None:
    monkeypatch.setenv(FAST_PATH_ENV, "0")
    log = Recorder()
    monkeypatch.setattr(sockets, "log", log)
    monkeypatch.setattr(sockets, "_logged", set())
    fallback_before = sockets.paths.fallback
    server = await make_server()
    async with viewer(server.url(user=1)) as speaker, viewer(server.url(user=2)) as listener:
        socks = list(server.hub.rooms[1].sockets.values())
        assert [(s.fast, s.fallback_reason) for s in socks] == [
            (False, f"turned off by {FAST_PATH_ENV}")
        ] * 2
        assert all(s._writer is not None for s in socks)  # the snapshot went through `send`
        await server.hub.publish(1, make_event("notice", eid="slow-1"))
        for ws in (speaker, listener):
            await event_in_ticks(ws, "slow-1")
        await speaker.send(json.dumps({"type": "chat", "text": "still here"}))
        async with asyncio.timeout(5):
            while True:
                frame = json.loads(await listener.recv())
                if any(e.get("text") == "still here" for e in frame.get("events", [])):
                    break
        # A refusal closes a fallback socket too, with its code.
        for _ in range(FAST.max_strikes + 1):
            await speaker.send("not json")
        with pytest.raises(websockets.ConnectionClosed):  # once the error frames are read
            async with asyncio.timeout(5):
                while True:
                    await speaker.recv()
        assert speaker.close_code == 1008
    assert sockets.paths.fallback == fallback_before + 2
    # One line per process and reason, however many sockets fall back.
    assert [(event, fields["reason"]) for event, fields in log.warnings] == [
        ("ws_fast_path_off", f"turned off by {FAST_PATH_ENV}")
    ]


class Recorder:
    def __init__(self) -> None:
        self.warnings: list[tuple[str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.warnings.append((event, fields))


# --- the detection, on stand-ins -------------------------------------------------------------


DROP = object()


def stand_in(name: str = PROTOCOL_TYPE[1], **changes: Any) -> Any:
    """An object shaped like uvicorn's protocol (its module, class `name`), as 0.54 fills it."""

    async def receive(self: Any) -> None: ...

    async def send(self: Any, message: Any) -> None: ...

    cls = type(name, (), {"__module__": PROTOCOL_TYPE[0], "receive": receive, "send": send})
    proto = cls()
    attrs: dict[str, Any] = {
        "transport": asyncio.Transport(),
        "conn": ServerProtocol(),
        "close_sent": False,
        "read_paused": False,
        "close_timer": None,
        **changes,
    }
    for attr, value in attrs.items():
        if value is not DROP:
            setattr(proto, attr, value)
    return proto


def behind_middleware(proto: Any) -> tuple[Any, Any]:
    """`receive`/`send` as an ASGI app sees them through two wrapping middlewares."""

    async def inner_send(message: Any) -> None:
        await proto.send(message)

    async def outer_send(message: Any) -> None:
        await inner_send(message)

    return proto.receive, outer_send


def test_the_protocol_is_found_through_wrapping_middleware() -> None:
    proto = stand_in()
    assert choose_path(*behind_middleware(proto)) == (proto, None)


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"read_paused": DROP}, "read_paused"),
        ({"close_sent": None}, "close_sent"),
        ({"close_timer": DROP}, "close_timer"),
        ({"transport": DROP}, "transport"),
        ({"transport": object()}, "transport.write(), transport.get_write_buffer_size()"),
        ({"conn": object()}, "conn.send_close(), conn.data_to_send(), conn.extensions"),
    ],
)
def test_a_missing_internal_falls_back_and_says_which(change: dict[str, Any], missing: str) -> None:
    proto, reason = choose_path(*behind_middleware(stand_in(**change)))
    assert proto is None
    assert reason is not None and reason.startswith("uvicorn's WebSocketsSansIOProtocol has no ")
    assert missing in reason


def test_compression_falls_back() -> None:
    conn = ServerProtocol()
    conn.extensions = [PerMessageDeflate(False, False, 12, 12)]
    assert choose_path(*behind_middleware(stand_in(conn=conn))) == (
        None,
        "per-message deflate negotiated (frames differ per socket)",
    )


def test_another_protocol_or_a_middleware_that_hides_it_falls_back() -> None:
    class Hiding:  # a middleware whose `send` is an object holding the next one, not a closure
        def __init__(self, send: Any) -> None:
            self.send = send

        async def __call__(self, message: Any) -> None:
            await self.send(message)

    proto, other = stand_in(), stand_in("H11Protocol")
    for receive, send in ((Hiding(proto.receive), Hiding(proto.send)), (other.receive, other.send)):
        found, reason = choose_path(receive, send)
        assert found is None
        assert reason is not None and reason.startswith("no uvicorn WebSocketsSansIOProtocol")
