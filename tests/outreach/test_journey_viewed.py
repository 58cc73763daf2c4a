"""Viewed, not bought: views of one product on 3 distinct days (the host's zone) within 30 days,
without buying, give one copy of the host's chosen coupon (through the coupon engine) and one
message; again at once or late gives nothing more; the next one comes only after 30 days."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from livecommerce.domains.outreach import journey_viewed
from livecommerce.infra import db
from tests.members.tiers_support import buy, sku_of
from tests.outreach.journey_support import messages, set_journeys, viewed
from tests.support import create_room

ZONE = "Asia/Shanghai"
SH = ZoneInfo(ZONE)


async def _coupon(client: httpx.AsyncClient, host, quota: int = 100) -> int:
    room = await create_room(client, host, title="回头客")
    made = await client.post(
        f"/api/rooms/{room['id']}/coupons",
        json={
            "title": "再看看券",
            "kind": "amount_off",
            "amountOff": 5_00,
            "quota": quota,
            "perUserLimit": 10,
            "validMinutes": 60 * 24 * 7,
        },
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _earlier_today(now: datetime) -> datetime:
    """A moment of the zone's today before `now`: 10:00 there, or, before 10:00 (CI at any hour),
    halfway from its midnight to now."""
    local = now.astimezone(SH)
    midnight = datetime(local.year, local.month, local.day, tzinfo=SH)
    ten = midnight + timedelta(hours=10)
    return (ten if ten < local else midnight + (local - midnight) / 2).astimezone(UTC)


def _local_noon(days_ago: int, now: datetime) -> datetime:
    day = now.astimezone(SH).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 12, tzinfo=SH).astimezone(UTC)


async def _copies() -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM user_coupons"))


async def test_three_distinct_days_give_one_coupon_and_one_message_per_30_days(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    looker, same_day, buyer = [await user_factory(n) for n in ("looker", "sameday", "buyer")]
    sku = await sku_of(client, host, 20_00)
    async with db.connection() as conn:
        product = await conn.fetchval("SELECT product_id FROM skus WHERE id = $1", sku)
    coupon_id = await _coupon(client, host)
    saved = await set_journeys(
        client, host, {"journey": "viewed_not_bought", "enabled": True, "couponId": coupon_id}
    )
    assert saved.status_code == 200, saved.text
    now = datetime.now(UTC)

    # Two days of views are not enough; nor are many views on one day.
    await viewed(looker, host, product, [_local_noon(5, now), _local_noon(2, now)])
    noon = _local_noon(1, now)
    await viewed(same_day, host, product, [noon, noon + timedelta(hours=1), noon.replace(hour=4)])
    # buyer looked on 3 days but bought it.
    await viewed(buyer, host, product, [_local_noon(d, now) for d in (6, 4, 1)])
    await buy(client, buyer, sku)
    assert await journey_viewed.sweep(now, ZONE) == (0, 0)

    # The third day: one coupon, one message, whoever runs the sweep twice at once.
    await viewed(looker, host, product, [_earlier_today(now)])
    copies_before = await _copies()
    runs = await asyncio.gather(journey_viewed.sweep(now, ZONE), journey_viewed.sweep(now, ZONE))
    assert sum(given for _, given in runs) == 1
    assert await journey_viewed.sweep(now + timedelta(hours=1), ZONE) == (0, 0)  # late
    said = await messages("viewed_not_bought")
    assert [(m["user_id"], m["link"]) for m in said] == [(looker.id, f"/products/{product}")]
    assert await _copies() == copies_before + 1
    async with db.connection() as conn:
        copy = await conn.fetchrow("SELECT * FROM user_coupons WHERE user_id = $1", looker.id)
    assert copy["coupon_id"] == coupon_id
    assert json.loads(said[0]["context"])["user_coupon_id"] == copy["id"]

    # 29 days on, views on 3 new days: still within 30 days of the last coupon, nothing.
    soon = now + timedelta(days=29)
    await viewed(looker, host, product, [_local_noon(d, soon) for d in (0, 1, 2)])
    assert await journey_viewed.sweep(soon, ZONE) == (0, 0)
    # 31 days on: a second one.
    later = now + timedelta(days=31)
    await viewed(looker, host, product, [_local_noon(d, later) for d in (0, 1)])
    found, given = await journey_viewed.sweep(later, ZONE)
    assert (found, given) == (1, 1)
    assert len(await messages("viewed_not_bought")) == 2
    assert await _copies() == copies_before + 2


async def test_a_coupon_the_engine_refuses_gives_no_message_and_a_buy_voids_the_message(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    ann, bo = await user_factory("ann"), await user_factory("bo")
    sku = await sku_of(client, host, 20_00)
    async with db.connection() as conn:
        product = await conn.fetchval("SELECT product_id FROM skus WHERE id = $1", sku)
    coupon_id = await _coupon(client, host, quota=1)
    await set_journeys(
        client, host, {"journey": "viewed_not_bought", "enabled": True, "couponId": coupon_id}
    )
    now = datetime.now(UTC)
    for who in (ann, bo):
        await viewed(who, host, product, [_local_noon(d, now) for d in (3, 2, 1)])
    found, given = await journey_viewed.sweep(now, ZONE)
    assert (found, given) == (2, 1)  # one copy left: the other gets neither coupon nor message
    said = await messages("viewed_not_bought")
    assert len(said) == 1
    async with db.connection() as conn:
        message = await conn.fetchrow("SELECT * FROM outreach_messages")
        assert await journey_viewed.still_unbought(conn, message) is True
    who = ann if said[0]["user_id"] == ann.id else bo
    await buy(client, who, sku)
    async with db.connection() as conn:
        assert await journey_viewed.still_unbought(conn, message) is False
