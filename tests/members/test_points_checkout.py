"""Points are earned frozen on completion, spent at checkout only once thawed, at the host's rate
and within its cap, given back when an unpaid order is cancelled; concurrent orders never spend
more than there is."""

from __future__ import annotations

import asyncio

import httpx

from livecommerce.domains.members.points import PointsBalance
from livecommerce.infra import db
from tests.members.points_support import (
    balance,
    earn,
    earn_available,
    earning,
    invariants,
    order_row,
    set_rules,
    sku_of,
)
from tests.support import place_order, problem_code


async def _people(user_factory):
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    admin = await user_factory("admin", ["admin"])
    return host, buyer, admin


async def test_completion_earns_frozen_points_that_cannot_be_spent_until_thawed(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    # 1 point per fen kept; 100 points buy ¥1 (1 point = 1 fen); at most half an order.
    await set_rules(client, host, earnBp=10_000, frozenDays=7, pointsPerYuan=100, capBp=5_000)
    sku = await sku_of(client, host, price=3_000)
    order_id = await earn(client, admin, host, buyer, sku)
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=3_000)
    row = await earning(order_id)
    assert row and row["points"] == 3_000 and row["frozen_left"] == 3_000
    assert row["thawed_at"] is None

    # Frozen points are not spendable: the order is refused as a whole, nothing is taken.
    refused = await place_order(client, buyer, sku, points=100)
    assert refused.status_code == 409 and problem_code(refused) == "points_insufficient"
    assert refused.json()["available"] == 0
    mine = await client.get("/api/me/orders", headers=buyer.headers)
    assert len(mine.json()["items"]) == 1  # only the completed one
    assert (await balance(host, buyer)).frozen == 3_000
    await invariants(host, buyer)


async def test_points_take_their_discount_and_show_on_the_order(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    # 200 points buy ¥1 (2 points a fen); at most 30% of what is due.
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=200, capBp=3_000)
    big = await sku_of(client, host, price=5_000)
    await earn_available(client, admin, host, buyer, big)
    assert (await balance(host, buyer)).available == 5_000

    small = await sku_of(client, host, price=1_000)
    offer = await client.get(
        "/api/me/points", params={"hostId": host.id, "amount": 1_000}, headers=buyer.headers
    )
    assert offer.status_code == 200, offer.text
    assert offer.json()["offer"] == {"amount": 1_000, "points": 600, "discount": 300}

    over = await place_order(client, buyer, small, points=601)  # 300 fen + a half: rounds down
    assert over.status_code == 201, over.text
    placed = over.json()
    # 601 points buy 300 whole fen; only the 600 those cost are charged.
    assert placed["pointsUsed"] == 600 and placed["pointsDiscount"] == 300
    assert placed["discountAmount"] == 300 and placed["payAmount"] == 700
    assert (await balance(host, buyer)).available == 4_400

    capped = await place_order(client, buyer, small, points=602)
    assert capped.status_code == 409 and problem_code(capped) == "points_over_cap"
    assert capped.json()["maxPoints"] == 600 and capped.json()["maxDiscount"] == 300
    too_many = await place_order(client, buyer, small, points=4_401)
    assert too_many.status_code == 409 and problem_code(too_many) == "points_insufficient"
    assert (await balance(host, buyer)).available == 4_400

    shown = await client.get(f"/api/orders/{placed['id']}", headers=buyer.headers)
    assert shown.json()["pointsUsed"] == 600 and shown.json()["pointsDiscount"] == 300
    await invariants(host, buyer)


async def test_cancelling_an_unpaid_order_gives_its_points_back_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    sku = await sku_of(client, host, price=2_000)
    await earn_available(client, admin, host, buyer, sku)
    placed = await place_order(client, buyer, sku, points=1_000)
    assert placed.status_code == 201, placed.text
    assert (await balance(host, buyer)).available == 1_000
    order_id = placed.json()["id"]
    cancelled = await client.post(f"/api/orders/{order_id}/cancel", json={}, headers=buyer.headers)
    assert cancelled.status_code == 200, cancelled.text
    again = await client.post(f"/api/orders/{order_id}/cancel", json={}, headers=buyer.headers)
    assert again.status_code == 409
    assert (await balance(host, buyer)).available == 2_000
    assert (await order_row(order_id))["points_used"] == 1_000  # the record of what it held
    await invariants(host, buyer)


async def test_twenty_concurrent_orders_spending_the_whole_balance_exactly_one_wins(
    live, client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    sku = await sku_of(client, host, price=1_000, stock=100)
    await earn_available(client, admin, host, buyer, sku)  # 1 000 points
    whole = (await balance(host, buyer)).available
    assert whole == 1_000
    # One product per order (10 000 fen: the cap allows 5 000 off): no SKU row lock queues them,
    # the orders run at once and only the ledger's conditional update stops a negative balance.
    skus = [await sku_of(client, host, price=10_000, stock=1) for _ in range(20)]

    clients = [httpx.AsyncClient(base_url=live.url, timeout=60) for _ in range(20)]
    try:
        answers = await asyncio.gather(
            *(place_order(c, buyer, s, points=whole) for c, s in zip(clients, skus, strict=True))
        )
    finally:
        for c in clients:
            await c.aclose()
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 19, [a.text for a in answers if a.status_code not in (201, 409)]
    assert all(problem_code(a) == "points_insufficient" for a in answers if a.status_code == 409)
    assert (await balance(host, buyer)).available == 0
    # The refused orders rolled back whole: their stock is on the shelf again, no order is left.
    async with db.connection() as conn:
        left = await conn.fetchval("SELECT sum(stock) FROM skus WHERE id = ANY($1::int[])", skus)
        assert left == 19
        assert await conn.fetchval("SELECT count(*) FROM orders WHERE points_used > 0") == 1
    await invariants(host, buyer)
