"""Earning and thawing run twice or late and move points once: the completion hook under its
earning key, the thaw job and the sweeper under the earning row's `thawed_at`."""

from __future__ import annotations

import asyncio

import httpx

from livecommerce.domains.members import points_earning, points_jobs
from livecommerce.domains.members.points import PointsBalance
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.infra import db
from tests.members.points_support import (
    balance,
    due_now,
    earn,
    earning,
    invariants,
    set_rules,
    sku_of,
)


async def _people(user_factory):
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    admin = await user_factory("admin", ["admin"])
    return host, buyer, admin


async def test_thaw_waits_for_its_day_then_moves_the_points_once_however_often_it_runs(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=7, pointsPerYuan=100, capBp=5_000)
    order_id = await earn(client, admin, host, buyer, await sku_of(client, host, 1_234))
    row = await earning(order_id) or {}
    assert (row["thaw_at"] - row["created_at"]).days == 7
    # Early: the job (arq may run it early after a restart) and the sweeper do nothing.
    assert await points_jobs.thaw_points({}, order_id) is False
    assert await points_jobs.sweep_points_thaws({}) == 0
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=1_234)
    # Late, and twice at once, and the sweeper too: the points move once.
    await due_now(order_id)
    results = await asyncio.gather(
        points_jobs.thaw_points({}, order_id),
        points_jobs.thaw_points({}, order_id),
        points_jobs.sweep_points_thaws({}),
    )
    assert sum(int(r) for r in results) == 1
    assert await points_jobs.thaw_points({}, order_id) is False
    assert await balance(host, buyer) == PointsBalance(available=1_234, frozen=0)
    async with db.connection() as conn:
        thaws = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE business_key = $1",
            f"points:order:{order_id}:thaw",
        )
    assert thaws == 1
    await invariants(host, buyer)


async def test_the_completion_hook_run_again_earns_nothing_more(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=5_000, frozenDays=3, pointsPerYuan=100, capBp=5_000)
    order_id = await earn(client, admin, host, buyer, await sku_of(client, host, 1_000))
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=500)
    hooks = OrderHooks(completed=(points_earning.earn_on_completion,))
    for _ in range(2):
        async with db.transaction() as tx:
            order = await tx.conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id)
            for reaction in hooks.completed:
                assert await reaction(tx, order) == []
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=500)
    # And the completion step itself, asked again, finds nothing to do.
    again = await client.post(f"/api/orders/{order_id}/complete", headers=admin.headers)
    assert again.status_code == 409
    assert await balance(host, buyer) == PointsBalance(available=0, frozen=500)
    await invariants(host, buyer)


async def test_the_sweeper_thaws_every_due_order_and_leaves_the_others(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, admin = await _people(user_factory)
    await set_rules(client, host, earnBp=10_000, frozenDays=7, pointsPerYuan=100, capBp=5_000)
    sku = await sku_of(client, host, 100)
    orders = [await earn(client, admin, host, buyer, sku) for _ in range(3)]
    for order_id in orders[:2]:
        await due_now(order_id)
    assert await points_jobs.sweep_points_thaws({}) == 2
    assert await points_jobs.sweep_points_thaws({}) == 0
    assert await balance(host, buyer) == PointsBalance(available=200, frozen=100)
    listed = await client.get("/api/me/points", params={"hostId": host.id}, headers=buyer.headers)
    assert [t["orderId"] for t in listed.json()["thawing"]] == [orders[2]]
    await invariants(host, buyer)
