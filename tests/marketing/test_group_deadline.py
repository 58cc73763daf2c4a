"""A group not full at its deadline fails: every member is refunded the way they paid (wallet,
gateway), exactly once, however often and however concurrently the job runs."""

from __future__ import annotations

import asyncio

from livecommerce.domains.ledger import Kind
from livecommerce.domains.marketing import group_jobs
from livecommerce.infra import db
from tests.marketing.group_support import (
    expire,
    group_product,
    group_row,
    join_group,
    members,
    opened,
)
from tests.promotions.support import balance, fund
from tests.support import ledger_state, pay_through_sandbox


async def test_a_failed_group_refunds_every_member_once_the_way_they_paid(
    app, client, user_factory
):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=3, group_price=600, stock=10)
    sku_id = product["skuId"]
    leader = await user_factory("leader")
    await fund(leader, 5_000)
    group_id, leader_order = await opened(client, leader, sku_id)
    member = await user_factory("member")
    placed = await join_group(client, member, group_id, sku_id)
    assert placed.status_code == 201, placed.text
    member_order = placed.json()["order"]["id"]
    await pay_through_sandbox(client, member, member_order)  # the gateway, not the wallet
    assert (await group_row(group_id))["paid_count"] == 2
    assert await balance(leader) == 4_400

    # Not due yet: the job does nothing.
    ctx = {"wiring": app.state.wiring, "settings": app.state.settings}
    assert await group_jobs.fail_group_buy(ctx, group_id) == 0
    assert (await group_row(group_id))["status"] == "open"

    await expire(group_id)
    # The deadline's job and the sweeper at once, then the job again (arq runs it twice).
    results = await asyncio.gather(
        group_jobs.fail_group_buy(ctx, group_id), group_jobs.sweep_group_buys(ctx)
    )
    assert sum(results) == 2
    assert await group_jobs.fail_group_buy(ctx, group_id) == 0
    assert await group_jobs.sweep_group_buys(ctx) == 0

    assert (await group_row(group_id))["status"] == "failed"
    assert {m["status"] for m in await members(group_id)} == {"refunded"}
    for buyer, order_id in ((leader, leader_order), (member, member_order)):
        order = (await client.get(f"/api/orders/{order_id}", headers=buyer.headers)).json()
        assert order["status"] == "refunded" and order["refundedAmount"] == 600
        assert [r["amount"] for r in order["refunds"]] == [600]
        assert order["heldBy"] is None
    # The wallet payer has their money back in the wallet; the gateway payer through the gateway.
    assert await balance(leader) == 5_000
    async with db.connection() as conn:
        payments = {
            row["order_id"]: row
            for row in await conn.fetch(
                "SELECT order_id, provider, amount, refunded_amount FROM payments"
                " WHERE status = 'succeeded'"
            )
        }
        refund_txns = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE business_key LIKE 'refund:void:%'"
        )
        stock = await conn.fetchval("SELECT stock FROM skus WHERE id = $1", sku_id)
    assert payments[leader_order]["provider"] == "wallet"
    assert payments[member_order]["provider"] == "sandbox"
    assert all(p["refunded_amount"] == p["amount"] == 600 for p in payments.values())
    assert refund_txns == 2
    assert stock == 10  # the units are back on the shelf
    async with db.connection() as conn:
        escrow = await conn.fetchval(
            "SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE user_id = $1"
            " AND (kind = $2 OR kind LIKE $2 || '.%')",
            host.id,
            Kind.ESCROW.value,
        )
    assert escrow == 0
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_a_group_that_fills_before_its_deadline_is_not_failed(app, client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    leader, member = await user_factory("leader"), await user_factory("member")
    await fund(leader, 5_000)
    await fund(member, 5_000)
    group_id, _ = await opened(client, leader, product["skuId"])
    placed = await join_group(client, member, group_id, product["skuId"])
    paid = await client.post(
        f"/api/orders/{placed.json()['order']['id']}/pay",
        json={"method": "wallet"},
        headers=member.headers,
    )
    assert paid.status_code == 200, paid.text
    await expire(group_id)
    ctx = {"wiring": app.state.wiring, "settings": app.state.settings}
    assert await group_jobs.fail_group_buy(ctx, group_id) == 0
    assert (await group_row(group_id))["status"] == "succeeded"
    assert await balance(leader) == 4_400
