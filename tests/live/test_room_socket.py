"""The room's websocket in the real app: snapshot, chat rules, moderation, commerce events."""

from __future__ import annotations

import json

import pytest
import websockets

from tests.live.conftest import event_of, joined
from tests.support import (
    create_room,
    events_for,
    live_room_with_product,
    next_frame,
    pay_through_sandbox,
    place_order,
)


async def chat(ws, text: str) -> None:
    await ws.send(json.dumps({"type": "chat", "text": text}))


async def test_the_snapshot_shows_the_session_showcase_pin_and_who_you_are(
    client, user_factory, room_url
) -> None:
    host, viewer = await user_factory("host", ["host"]), await user_factory("viewer")
    room, item = await live_room_with_product(client, host, price=990)
    await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": item["id"]}, headers=host.headers
    )
    async with joined(room_url(room["id"]), viewer) as (_, snap):
        payload = snap["payload"]
        assert payload["session"]["status"] == "live"
        assert [p["id"] for p in payload["showcase"]] == [item["id"]] and payload["showcase"][0][
            "minPrice"
        ] == 990
        assert payload["pinned"]["id"] == item["id"]
        assert payload["you"] == {
            "userId": viewer.id,
            "username": "viewer",
            "name": "Viewer",  # what the room sees of you: the display name
            "speaksForRoom": False,
            "isHost": False,
            "muted": False,
        }
        assert set(snap["counters"]) >= {
            "online",
            "peak",
            "uniqueViewers",
            "likes",
            "orders",
            "gmv",
        }
    async with joined(room_url(room["id"])) as (_, guest_snap):
        assert guest_snap["payload"]["you"] is None


async def test_a_guest_watches_but_cannot_write(client, user_factory, room_url) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    async with joined(room_url(room["id"])) as (ws, _):
        await chat(ws, "hello")
        error = await next_frame(ws, "error")
        assert error["code"] == "login_required"
        await ws.send(json.dumps({"type": "like", "count": 3}))
        assert (await next_frame(ws, "error"))["code"] == "login_required"


async def test_a_foreign_origin_and_an_unknown_room_are_refused(
    client, user_factory, live, room_url
) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(room_url(room["id"]), origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with websockets.connect(room_url(room["id"] + 1000), origin=live.url) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4404


async def test_chat_from_a_bearer_token_or_a_cookie_reaches_everyone(
    client, user_factory, room_url, live
) -> None:
    host, a, b = (
        await user_factory("host", ["host"]),
        await user_factory("alice"),
        await user_factory("bob"),
    )
    room = await create_room(client, host)
    async with (
        joined(room_url(room["id"]), a) as (on_a, _),
        websockets.connect(
            room_url(room["id"]),
            origin=live.url,
            additional_headers={"Cookie": f"lc_token={b.token}"},
        ) as on_b,
    ):
        await next_frame(on_b, "snapshot")
        await chat(on_b, "hi from the cookie")
        seen = await event_of(on_a, "chat", text="hi from the cookie")
        # the display name (user_factory's "Bob"), never the login name
        assert (seen["userId"], seen["name"], seen["priority"]) == (b.id, "Bob", False)
        assert "username" not in seen
        async with joined(room_url(room["id"]), host) as (on_host, _):
            await chat(on_host, "welcome!")
            assert (await event_of(on_a, "chat", text="welcome!"))[
                "priority"
            ] is True  # the host is never sampled away


async def test_a_muted_user_cannot_chat_until_unmuted_and_others_can(
    client, user_factory, room_url
) -> None:
    host, troll, fan = (
        await user_factory("host", ["host"]),
        await user_factory("troll"),
        await user_factory("fan"),
    )
    room = await create_room(client, host)
    async with (
        joined(room_url(room["id"]), troll) as (on_troll, _),
        joined(room_url(room["id"]), fan) as (on_fan, _),
    ):
        muted = await client.post(
            f"/api/rooms/{room['id']}/moderation",
            json={"action": "mute", "userId": troll.id, "minutes": 10},
            headers=host.headers,
        )
        assert muted.status_code == 200, muted.text
        await event_of(on_troll, "moderation", action="mute")
        await chat(on_troll, "spam")
        assert (await next_frame(on_troll, "error"))["code"] == "muted"
        await chat(on_fan, "nice tea")
        texts = [e.get("text") for e in await events_for(on_fan)]
        assert "nice tea" in texts and "spam" not in texts
        await client.post(
            f"/api/rooms/{room['id']}/moderation",
            json={"action": "unmute", "userId": troll.id},
            headers=host.headers,
        )
        await event_of(on_troll, "moderation", action="unmute")
        await chat(on_troll, "sorry")
        await event_of(on_fan, "chat", text="sorry")


async def test_a_banned_user_is_closed_and_cannot_rejoin(client, user_factory, room_url) -> None:
    host, mod, troll = (
        await user_factory("host", ["host"]),
        await user_factory("mod"),
        await user_factory("troll"),
    )
    room = await create_room(client, host)
    await client.post(
        f"/api/rooms/{room['id']}/moderation",
        json={"action": "add_moderator", "userId": mod.id},
        headers=host.headers,
    )
    cannot = await client.post(
        f"/api/rooms/{room['id']}/moderation",
        json={"action": "ban", "userId": host.id},
        headers=mod.headers,
    )
    assert cannot.status_code == 409
    async with joined(room_url(room["id"]), troll) as (on_troll, _):
        banned = await client.post(
            f"/api/rooms/{room['id']}/moderation",
            json={"action": "ban", "userId": troll.id},
            headers=mod.headers,
        )
        assert banned.status_code == 200, banned.text
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await on_troll.recv()
        assert closed.value.rcvd.code == 4003
    async with websockets.connect(room_url(room["id"]), additional_headers=troll.headers) as again:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await again.recv()
        assert closed.value.rcvd.code == 4003


async def test_slow_mode_lets_one_message_through_per_interval(
    client, user_factory, room_url
) -> None:
    host, fan = await user_factory("host", ["host"]), await user_factory("fan")
    room = await create_room(client, host)
    slow = await client.post(
        f"/api/rooms/{room['id']}/moderation",
        json={"action": "slow_mode", "seconds": 30},
        headers=host.headers,
    )
    assert slow.json()["slowModeSeconds"] == 30
    async with joined(room_url(room["id"]), fan) as (ws, _):
        await chat(ws, "first")
        await event_of(ws, "chat", text="first")
        await chat(ws, "second")
        assert (await next_frame(ws, "error"))["code"] == "slow_mode"


async def test_a_deleted_message_is_announced_by_its_id(client, user_factory, room_url) -> None:
    host, fan = await user_factory("host", ["host"]), await user_factory("fan")
    room = await create_room(client, host)
    async with joined(room_url(room["id"]), fan) as (ws, _):
        await chat(ws, "buy followers at ...")
        message = await event_of(ws, "chat")
        deleted = await client.post(
            f"/api/rooms/{room['id']}/moderation",
            json={"action": "delete_message", "messageId": message["id"]},
            headers=host.headers,
        )
        assert deleted.status_code == 200
        assert (await event_of(ws, "moderation", action="delete_message"))["messageId"] == message[
            "id"
        ]


async def test_pins_and_purchases_reach_the_room(client, user_factory, room_url) -> None:
    host, buyer = await user_factory("host", ["host"]), await user_factory("buyer")
    room, item = await live_room_with_product(client, host, price=2500, title="Longjing")
    async with joined(room_url(room["id"]), buyer) as (ws, _):
        await client.post(
            f"/api/rooms/{room['id']}/pin", json={"productId": item["id"]}, headers=host.headers
        )
        pin = await event_of(ws, "pin")
        assert pin["product"]["id"] == item["id"] and pin["priority"] is True
        placed = await place_order(client, buyer, item["skus"][0]["id"], roomId=room["id"])
        await pay_through_sandbox(client, buyer, placed.json()["id"])
        bought = await event_of(ws, "purchase")
        assert (bought["buyer"], bought["product"]) == ("B**", "Longjing")

        frame = await next_frame(ws, where=lambda f: f.get("counters", {}).get("orders") == 1)
        counters = frame["counters"]
        assert counters["gmv"] == 2500
