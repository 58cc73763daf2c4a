"""The events the server records itself, through the real flows: entering and leaving a room
over its socket (with the time watched), paying (per product, with the amount and the
distributor snapshotted on the order, only once the payment committed), a share link's click and
a coupon claimed."""

from __future__ import annotations

import asyncio

from livecommerce.realtime import guests
from tests.analytics.conftest import stored
from tests.distribution.helpers import become, share, visit
from tests.live.conftest import joined
from tests.promotions.test_coupons import claim, make_coupon
from tests.support import live_room_with_product, pay_through_sandbox, place_order


async def _rows(kind: str) -> list[dict]:
    return await stored("SELECT * FROM behaviour_events WHERE kind = $1 ORDER BY occurred_at", kind)


async def _eventually(kind: str, count: int) -> list[dict]:
    """A socket's leave is told after it closed on the server: poll until it was."""
    async with asyncio.timeout(10):
        while len(rows := await _rows(kind)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return rows


async def test_entering_and_leaving_a_room_are_events_with_the_time_watched(
    client, user_factory, room_url, live
) -> None:
    host, viewer = await user_factory("host", ["host"]), await user_factory("viewer")
    room, _ = await live_room_with_product(client, host)
    guest = guests.GuestIds(live.app.state.settings.secret_key).issue()
    async with (
        joined(room_url(room["id"]), viewer),
        joined(room_url(room["id"]) + f"?guest={guest}"),
    ):
        entered = await _eventually("room_enter", 2)
        await asyncio.sleep(1.1)
    left = await _eventually("room_leave", 2)
    session_id = entered[0]["session_id"]
    assert session_id is not None
    assert {(r["user_id"], r["guest_id"]) for r in entered} == {
        (viewer.id, None),
        (None, guests.viewer_id(guest)),
    }
    assert {(r["host_id"], r["room_id"], r["session_id"]) for r in entered + left} == {
        (host.id, room["id"], session_id)
    }
    assert all(r["watch_seconds"] >= 1 for r in left)
    assert all(r["watch_seconds"] is None for r in entered)


async def test_a_payment_is_one_paid_event_per_product_with_its_distributor(
    client, user_factory
) -> None:
    host, buyer = await user_factory("host", ["host"]), await user_factory("buyer")
    sharer = await user_factory("sharer", ["distributor"])
    room, item = await live_room_with_product(client, host, price=2500)
    await become(client, sharer)
    link = await share(client, sharer, item["id"])
    await visit(client, link["code"], buyer)
    placed = await place_order(client, buyer, item["skus"][0]["id"], 2, roomId=room["id"])
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert await _rows("paid") == []  # placed is not paid
    await pay_through_sandbox(client, buyer, order["id"])
    paid = await _rows("paid")
    assert [
        (r["user_id"], r["host_id"], r["room_id"], r["product_id"], r["order_id"], r["amount"])
        for r in paid
    ] == [(buyer.id, host.id, room["id"], item["id"], order["id"], order["payAmount"])]
    assert paid[0]["distributor_id"] == sharer.id and paid[0]["session_id"] is not None
    clicks = await _rows("link_click")
    assert [(r["user_id"], r["distributor_id"], r["host_id"], r["product_id"]) for r in clicks] == [
        (buyer.id, sharer.id, host.id, item["id"])
    ]


async def test_a_claimed_coupon_is_an_event_and_a_refused_claim_is_none(
    client, user_factory
) -> None:
    host, fan = await user_factory("host", ["host"]), await user_factory("fan")
    room, _ = await live_room_with_product(client, host)
    coupon = await make_coupon(client, host, room["id"], quota=1)
    assert (await claim(client, fan, coupon["id"])).status_code == 201
    assert (await claim(client, fan, coupon["id"])).status_code == 409
    claims = await _rows("coupon_claim")
    assert [(r["user_id"], r["host_id"], r["room_id"]) for r in claims] == [
        (fan.id, host.id, room["id"])
    ]
