"""Gifts in the live room: the catalogue in the join snapshot, the `gift` event reaching a real
websocket viewer after the tip commits, and the top tippers only when the operator wants them."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from tests.live.conftest import event_of, joined
from tests.marketing.gifts_support import send, set_tips, tip_room
from tests.promotions.support import fund
from tests.support import LiveServer


async def _rooms_left(live: LiveServer) -> None:
    # Room ids start at 1 again in the next test: wait until the hub let go of this one's.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            while live.app.state.hub.rooms:  # noqa: ASYNC110 - a poll of the server's own state
                await asyncio.sleep(0.05)


async def test_a_gift_reaches_a_viewers_socket_as_a_priority_event(
    client: httpx.AsyncClient, user_factory, live: LiveServer
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 1_000)
    url = f"{live.ws_url}/ws/rooms/{room.room_id}"
    async with joined(url) as (ws, snapshot):
        gifts = snapshot["payload"]["gifts"]
        assert [g["id"] for g in gifts["catalogue"]] == [room.gift_id]
        assert (gifts["leaderboardsEnabled"], gifts["leaderboard"]) == (False, None)
        sent = await send(client, fan, room.room_id, room.gift_id, quantity=2)
        assert sent.status_code == 201, sent.text
        event = await event_of(ws, "gift", tipId=sent.json()["id"])
    assert event["priority"] is True
    assert (event["giftId"], event["quantity"], event["senderId"]) == (room.gift_id, 2, fan.id)
    assert event["senderName"] == "Fan" and event["icon"] == "/static/gifts/rose.svg"
    assert event["senderTotal"] is None  # leaderboards are off
    await _rooms_left(live)


async def test_top_tippers_show_only_when_leaderboards_are_on_with_masked_names(
    client: httpx.AsyncClient, user_factory, live: LiveServer
) -> None:
    room = await tip_room(client, user_factory)
    big, small = await user_factory("bigfan"), await user_factory("smallfan")
    for fan in (big, small):
        await fund(fan, 1_000)
    assert (await send(client, big, room.room_id, room.gift_id, quantity=3)).status_code == 201
    assert (await send(client, small, room.room_id, room.gift_id)).status_code == 201
    await set_tips(client, room.admin, leaderboardsEnabled=True)
    url = f"{live.ws_url}/ws/rooms/{room.room_id}"
    async with joined(url, small) as (ws, snapshot):
        board = snapshot["payload"]["gifts"]["leaderboard"]
        assert [(t["userId"], t["name"], t["amount"]) for t in board] == [
            (big.id, "B**", 300),
            (small.id, "S**", 100),
        ]
        sent = await send(client, small, room.room_id, room.gift_id, quantity=3)
        event = await event_of(ws, "gift", tipId=sent.json()["id"])
    assert event["senderTotal"] == 400
    await _rooms_left(live)
