"""Limits that protect a room count per viewer, not per socket (DESIGN.md §10): one user's many
sockets share one chat and one like allowance and at most `max_sockets_per_viewer` of them get in;
unique viewers and views count a user once, a guest once per id the server issued, and made-up
guest ids not at all (those guests count once per client address)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from livecommerce.realtime import HubConfig
from livecommerce.realtime.guests import COOKIE, GuestIds
from tests.live.conftest import joined
from tests.support import TestUser, create_room, frames, go_live, next_frame

CONFIG = HubConfig()  # the app runs with the defaults


@pytest.fixture(autouse=True)
def fresh_guest_budget(live) -> None:
    """Every test connects from 127.0.0.1 to one server: start each with its address's budget of
    fresh guest ids whole."""
    live.app.state.hub.guest_budget.clear()


async def stats(client, host: TestUser, room_id: int) -> dict[str, int]:
    response = await client.get(f"/api/rooms/{room_id}/stats", headers=host.headers)
    assert response.status_code == 200, response.text
    return response.json()["counters"]


async def settled(client, host: TestUser, room_id: int, name: str) -> int:
    """The counter once it stops moving (summed per tick, then added in Redis)."""
    last = (await stats(client, host, room_id))[name]
    for _ in range(40):
        await asyncio.sleep(0.5)
        now = (await stats(client, host, room_id))[name]
        if now == last:
            return now
        last = now
    return last


async def attempt(url: str, user: TestUser | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """Open a socket: (socket, its snapshot) if it got in, else (None, the close frame)."""
    origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]
    headers = {**(user.headers if user else {}), **kwargs.pop("additional_headers", {})}
    ws = await websockets.connect(url, origin=origin, additional_headers=headers, **kwargs)
    try:
        return ws, await next_frame(ws, "snapshot", within=10)
    except websockets.ConnectionClosed as closed:
        return None, closed.rcvd


@contextlib.asynccontextmanager
async def many(url: str, user: TestUser | None, n: int) -> AsyncIterator[list[tuple[Any, Any]]]:
    """`n` sockets of one viewer, opened one after another (so which ones get in is fixed)."""
    opened: list[tuple[Any, Any]] = []
    try:
        for _ in range(n):
            opened.append(await attempt(url, user))  # noqa: PERF401 - closed in `finally`
        yield opened
    finally:
        for ws, _ in opened:
            if ws is not None:
                await ws.close()


async def live_room(client, user_factory, live) -> tuple[TestUser, int]:
    # Room ids restart at 1 in every test: let the previous test's rooms flush their last counts
    # first (a room leaves the hub at its first tick without sockets), or they land in this one.
    async with asyncio.timeout(10):
        while live.app.state.hub.rooms:  # noqa: ASYNC110 - the hub's state, nothing to await
            await asyncio.sleep(0.05)
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    await go_live(client, host, room["id"])
    return host, room["id"]


async def test_thirty_sockets_of_one_user_share_one_chat_allowance(
    client, user_factory, room_url, live
) -> None:
    _, room_id = await live_room(client, user_factory, live)
    flooder, fan = await user_factory("flooder"), await user_factory("fan")
    async with (
        joined(room_url(room_id), fan) as (observer, _),
        many(room_url(room_id), flooder, 30) as sockets,
    ):
        inside = [ws for ws, _ in sockets if ws is not None]
        started = time.monotonic()
        await asyncio.gather(
            *(
                ws.send(json.dumps({"type": "chat", "text": f"flood {i}-{k}"}))
                for i, ws in enumerate(inside)
                for k in range(int(CONFIG.chat_burst) + 3)  # past one socket's burst
            )
        )
        elapsed = time.monotonic() - started
        through = [
            e
            async for frame in frames(observer, quiet=1.5)
            for e in frame.get("events", [])
            if e["type"] == "chat" and e["userId"] == flooder.id
        ]
    allowance = CONFIG.chat_burst + CONFIG.chat_rate * (elapsed + 2)
    assert 0 < len(through) <= allowance, (len(through), allowance)
    assert len(inside) == CONFIG.max_sockets_per_viewer, len(inside)


async def test_likes_from_thirty_sockets_of_one_user_rise_by_one_users_allowance(
    client, user_factory, room_url, live
) -> None:
    host, room_id = await live_room(client, user_factory, live)
    liker = await user_factory("liker")
    async with many(room_url(room_id), liker, 30) as sockets:
        inside = [ws for ws, _ in sockets if ws is not None]
        started = time.monotonic()
        await asyncio.gather(
            *(
                ws.send(json.dumps({"type": "like", "count": 50}))
                for ws in inside
                for _ in range(int(CONFIG.like_burst))  # a whole burst from every socket
            )
        )
        for ws in inside:  # every like before the pong has been read by the server
            with contextlib.suppress(websockets.ConnectionClosed):
                await ws.send(json.dumps({"type": "ping"}))
                await next_frame(ws, "pong")
        elapsed = time.monotonic() - started
        likes = await settled(client, host, room_id, "likes")
    allowance = (CONFIG.like_burst + CONFIG.like_rate * (elapsed + 1)) * 50
    assert CONFIG.like_burst * 50 <= likes <= allowance, (likes, allowance)


async def test_the_sixth_socket_of_a_viewer_is_refused_with_4029(
    client, user_factory, room_url, live
) -> None:
    host, room_id = await live_room(client, user_factory, live)
    fan = await user_factory("fan")
    cap = CONFIG.max_sockets_per_viewer
    async with many(room_url(room_id), fan, cap + 1) as sockets:
        assert [ws is not None for ws, _ in sockets] == [True] * cap + [False]
        refused = sockets[-1][1]
        assert (refused.code, refused.reason) == (4029, "too_many_sockets")
        for ws, _ in sockets[:cap]:  # the first five are still served
            await ws.send(json.dumps({"type": "ping"}))
            await next_frame(ws, "pong")
        await sockets[0][0].close()
        again, snap = await attempt(room_url(room_id), fan)  # a place is free again
        assert again is not None and snap["payload"]["you"]["userId"] == fan.id
        await again.close()
        async with joined(room_url(room_id), host) as (_, snap):  # another viewer: not counted
            assert snap["payload"]["you"]["userId"] == host.id


async def test_made_up_guest_ids_add_no_unique_viewer_and_an_issued_one_counts_once(
    client, user_factory, room_url, live
) -> None:
    host, room_id = await live_room(client, user_factory, live)
    url = room_url(room_id)
    # A first guest without an id: counted once for its address, and handed a signed id.
    first, snap = await attempt(url)
    assert first is not None
    issued = snap["guestId"]
    assert GuestIds(live.app.state.settings.secret_key).valid(issued)
    cookie = first.response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}={issued};") and "HttpOnly" in cookie, cookie
    before = await settled(client, host, room_id, "uniqueViewers")
    views = await settled(client, host, room_id, "views")
    assert (before, views) == (1, 1)
    # 60 made-up ids (and a forged signature) while that guest watches: nothing more.
    forged = issued[:-4] + ("AAAA" if not issued.endswith("AAAA") else "BBBB")
    made_up = [f"fake{i:04d}guest" for i in range(59)] + [forged]
    opened = [await attempt(f"{url}?guest={g}") for g in made_up]
    try:
        assert all(ws is not None for ws, _ in opened)
        assert all(s.get("guestId") != g for (_, s), g in zip(opened, made_up, strict=True))
        assert await settled(client, host, room_id, "uniqueViewers") == before
        assert await settled(client, host, room_id, "views") == views
    finally:
        for ws, _ in opened:
            await ws.close()
    await first.close()
    # The issued id coming back, by query and by cookie: one more unique viewer in all.
    for target, headers in (
        (f"{url}?guest={issued}", {}),
        (url, {"Cookie": f"{COOKIE}={issued}"}),
        (f"{url}?guest=forged", {"Cookie": f"theme=dark; {COOKIE}={issued}"}),
    ):
        ws, again = await attempt(target, additional_headers=headers)
        assert ws is not None and "guestId" not in again  # known: nothing new issued
        await ws.close()
    assert await settled(client, host, room_id, "uniqueViewers") == before + 1


async def test_a_guest_id_the_server_issued_has_the_same_socket_cap(
    client, user_factory, room_url, live
) -> None:
    _, room_id = await live_room(client, user_factory, live)
    ws, snap = await attempt(room_url(room_id))
    assert ws is not None
    issued = snap["guestId"]
    await ws.close()
    url = f"{room_url(room_id)}?guest={issued}"
    cap = CONFIG.max_sockets_per_viewer
    async with many(url, None, cap + 1) as sockets:
        assert [s is not None for s, _ in sockets] == [True] * cap + [False]
        assert sockets[-1][1].code == 4029
    # Guests without a valid id are not capped by address (many people share one behind NAT).
    async with many(room_url(room_id), None, cap + 3) as anonymous:
        assert all(s is not None for s, _ in anonymous)
