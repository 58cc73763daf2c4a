"""A refund takes back growth exactly: one item of a two-item order first, then the rest; the
tier stays until the window's edge."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.members.tiers_support import member, place, refund_all, set_ladder, standing
from tests.support import pay_through_sandbox


async def _by_item(member_id: int, order: dict) -> dict[str, int]:
    """Growth movements summed per item of the order ('paid' for the payment)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT business_key, amount FROM member_growth WHERE member_id = $1", member_id
        )
    sums: dict[str, int] = {}
    for row in rows:
        parts = row["business_key"].split(":")  # order:{id}:paid | order:{id}:item:{id}:...
        key = "paid" if parts[2] == "paid" else parts[3]
        sums[key] = sums.get(key, 0) + row["amount"]
    return sums


async def test_a_partial_then_full_refund_takes_back_exactly_what_was_refunded(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    product = await client.post(
        "/api/products",
        json={
            "title": "茶具",
            "onShelf": True,
            "skus": [
                {"name": "杯", "price": 30_00, "stock": 10},
                {"name": "壶", "price": 90_00, "stock": 10},
            ],
        },
        headers=host.headers,
    )
    assert product.status_code == 201, product.text
    cup, pot = (s["id"] for s in product.json()["skus"])
    order = await place(client, buyer, [(cup, 2), (pot, 1)])
    await pay_through_sandbox(client, buyer, order["id"])
    cup_item = next(i for i in order["items"] if i["skuId"] == cup)

    paid = await member(host, buyer)
    assert (paid["lifetime_spend"], paid["tier_code"]) == (150_00, "silver")

    # One cup of the two (30 yuan), on its own.
    await refund_all(client, host, buyer, order["id"], itemId=cup_item["id"], amount=30_00)
    after_one = await member(host, buyer)
    assert after_one["lifetime_spend"] == 120_00
    assert await _by_item(after_one["id"], order) == {"paid": 150_00, str(cup_item["id"]): -30_00}
    assert (await standing(client, buyer, host))["windowGrowth"] == 120_00

    # Then everything left: growth is back to zero, never below, and the tier waits for the edge.
    await refund_all(client, host, buyer, order["id"])
    after_all = await member(host, buyer)
    assert after_all["lifetime_spend"] == 0
    assert after_all["tier_code"] == "silver"
    assert after_all["paid_orders"] == 1  # a refund takes back money, not the order count
    cup_id, pot_id = (str(i["id"]) for i in sorted(order["items"], key=lambda i: i["skuId"]))
    assert await _by_item(after_all["id"], order) == {
        "paid": 150_00,
        cup_id: -60_00,  # 30 yuan, then the other 30
        pot_id: -90_00,
    }
