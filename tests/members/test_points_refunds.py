"""A refund takes points back exactly: the points an order spent come back pro rata to what was
refunded, the points it earned (refunded after completion) go back pro rata, from frozen points
first, then available ones, never below zero (the shortfall is recorded)."""

from __future__ import annotations

import httpx

from livecommerce.domains.members import points_earning
from livecommerce.domains.members.points import PointsBalance
from tests.members.points_support import (
    balance,
    complete,
    dispute_refund,
    due_now,
    earn,
    earn_available,
    earning,
    invariants,
    paid,
    refund,
    set_rules,
    sku_of,
)


async def _people(user_factory):
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    admin = await user_factory("admin", ["admin"])
    return host, buyer, admin


async def test_spent_points_come_back_pro_rata_over_partial_refunds_and_all_on_the_last(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    await earn_available(client, admin, host, buyer, await sku_of(client, host, price=5_000))
    sku = await sku_of(client, host, price=8_000)
    order = await paid(client, buyer, sku, points=1_000)
    assert order["payAmount"] == 7_000 and order["pointsUsed"] == 1_000
    assert (await balance(host, buyer)).available == 4_000
    # floor(1000 x 1000 / 7000) = 142 back.
    await refund(client, buyer, host, order["id"], 1_000)
    assert (await balance(host, buyer)).available == 4_142
    # 3 500 refunded in all: floor(1000 x 3500 / 7000) = 500 back in all, 358 of them now.
    await refund(client, buyer, host, order["id"], 2_500)
    assert (await balance(host, buyer)).available == 4_500
    # The rest: every point is back, none more (the running total, not per-refund rounding).
    done = await refund(client, buyer, host, order["id"])
    assert done["status"] == "refunded"
    assert await balance(host, buyer) == PointsBalance(available=5_000, frozen=0)
    await invariants(host, buyer)


async def test_earned_points_are_taken_back_from_frozen_then_available_after_completion(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=7, pointsPerYuan=100, capBp=5_000)
    order_id = await earn(client, admin, host, buyer, await sku_of(client, host, price=10_000))
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=10_000)
    # A quarter refunded while frozen: a quarter of the earned points go, from frozen.
    await dispute_refund(client, admin, order_id, 2_500)
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=7_500)
    assert (await earning(order_id) or {})["frozen_left"] == 7_500
    await due_now(order_id)
    assert await points_earning.thaw(order_id)
    assert await balance(host, buyer) == PointsBalance(available=7_500, frozen=0)
    # After the thaw they come from available.
    await dispute_refund(client, admin, order_id, 1_000)
    assert await balance(host, buyer) == PointsBalance(available=6_500, frozen=0)
    await dispute_refund(client, admin, order_id, 6_500)
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=0)
    row = await earning(order_id) or {}
    assert row["taken_back"] == 10_000 and row["shortfall"] == 0
    await invariants(host, buyer)


async def test_earned_points_rounded_exactly_and_the_spent_ones_become_a_shortfall(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    # 333 bp: 10 000 fen earn 333 points.
    await set_rules(client, host, earnBp=333, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    first = await earn_available(client, admin, host, buyer, await sku_of(client, host, 10_000))
    assert (await balance(host, buyer)).available == 333
    # A third refunded: floor(333 x 6667 / 10000) = 222 kept, 111 taken back.
    await dispute_refund(client, admin, first, 3_333)
    assert (await balance(host, buyer)).available == 222
    # The member spends what is left; the rest of the refund finds nothing to take back.
    spent = await paid(client, buyer, await sku_of(client, host, 1_000), points=222)
    assert spent["pointsUsed"] == 222
    await dispute_refund(client, admin, first, 6_667)
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=0)
    row = await earning(first) or {}
    assert row["taken_back"] == 333 and row["shortfall"] == 222
    await invariants(host, buyer)


async def test_taking_back_uses_other_orders_frozen_points_before_available_ones(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=7, pointsPerYuan=100, capBp=5_000)
    first = await earn_available(client, admin, host, buyer, await sku_of(client, host, 1_000))
    second = await earn(client, admin, host, buyer, await sku_of(client, host, 600))
    assert await balance(host, buyer) == PointsBalance(available=1_000, frozen=600)
    # The first order's own points thawed already: the second order's frozen ones go first.
    await dispute_refund(client, admin, first, 800)
    assert await balance(host, buyer) == PointsBalance(available=800, frozen=0)
    assert (await earning(second) or {})["frozen_left"] == 0
    # The second order thaws with nothing left to move, and stays thawed.
    await due_now(second)
    assert await points_earning.thaw(second)
    assert await balance(host, buyer) == PointsBalance(available=800, frozen=0)
    await invariants(host, buyer)


async def test_a_refund_after_completion_returns_spent_and_takes_back_earned_in_one(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=1_000, frozenDays=7, pointsPerYuan=100, capBp=5_000)
    await earn_available(client, admin, host, buyer, await sku_of(client, host, 20_000))
    assert (await balance(host, buyer)).available == 2_000
    # 2 000 points off 10 000: pays 8 000, earns 10% of it (800), frozen.
    order = await paid(client, buyer, await sku_of(client, host, 10_000), points=2_000)
    await complete(client, admin, host, buyer, order["id"])
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=800)
    # Half refunded: half the spent points back (1 000), half the earned taken (400, frozen).
    await dispute_refund(client, admin, order["id"], 4_000)
    assert await balance(host, buyer) == PointsBalance(available=1_000, frozen=400)
    await dispute_refund(client, admin, order["id"], 4_000)
    assert await balance(host, buyer) == PointsBalance(available=2_000, frozen=0)
    await invariants(host, buyer)
