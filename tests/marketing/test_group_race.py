"""A seat is taken only by a paid order, and never past N: the last seats paid for at the same
instant, by real concurrent HTTP payments."""

from __future__ import annotations

import asyncio

from tests.marketing.group_support import (
    group_product,
    group_row,
    join_group,
    members,
    opened,
    pay_wallet,
)
from tests.promotions.support import fund
from tests.support import ledger_state


async def test_a_group_filled_by_its_last_two_members_at_once_is_full_once(client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=3)
    sku_id = product["skuId"]
    rounds = 4
    groups, joiner_orders = [], []
    for n in range(rounds):
        leader = await user_factory(f"leader{n}")
        await fund(leader, 10_000)
        group_id, _ = await opened(client, leader, sku_id)
        pair = []
        for k in range(2):
            joiner = await user_factory(f"joiner{n}_{k}")
            await fund(joiner, 10_000)
            placed = await join_group(client, joiner, group_id, sku_id)
            assert placed.status_code == 201, placed.text
            pair.append((joiner, placed.json()["order"]["id"]))
        groups.append(group_id)
        joiner_orders.append(pair)
    # Every round's last two pay together, all rounds at once.
    paid = await asyncio.gather(
        *[pay_wallet(client, buyer, order_id) for pair in joiner_orders for buyer, order_id in pair]
    )
    assert all(r.status_code == 200 for r in paid), [r.text for r in paid]
    for group_id in groups:
        row = await group_row(group_id)
        assert row["status"] == "succeeded" and row["paid_count"] == 3
        seats = sorted(m["seat"] for m in await members(group_id))
        assert seats == [1, 2, 3]
        assert all(m["status"] == "succeeded" for m in await members(group_id))
    # Every order of a full group is released to ship, none held back.
    for pair in joiner_orders:
        for buyer, order_id in pair:
            order = (await client.get(f"/api/orders/{order_id}", headers=buyer.headers)).json()
            assert order["status"] == "paid" and order["heldBy"] is None
    assert (await ledger_state()).balanced


async def test_many_paying_for_the_last_seat_seat_one_and_the_rest_lead_new_groups(
    client, user_factory
):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    sku_id = product["skuId"]
    leader = await user_factory("leader")
    await fund(leader, 10_000)
    group_id, _ = await opened(client, leader, sku_id)
    buyers = []
    for k in range(6):
        buyer = await user_factory(f"buyer{k}")
        await fund(buyer, 10_000)
        placed = await join_group(client, buyer, group_id, sku_id)
        assert placed.status_code == 201, placed.text
        buyers.append((buyer, placed.json()["order"]["id"]))
    # Placing held no seat: the group still has one free.
    assert (await group_row(group_id))["paid_count"] == 1
    paid = await asyncio.gather(*[pay_wallet(client, b, order_id) for b, order_id in buyers])
    assert all(r.status_code == 200 for r in paid), [r.text for r in paid]
    row = await group_row(group_id)
    assert row["status"] == "succeeded" and row["paid_count"] == 2
    assert len([m for m in await members(group_id) if m["seat"] is not None]) == 2
    # The five who came too late each lead a group of their own, open, with their seat.
    late = []
    for buyer, _ in buyers:
        mine = (await client.get("/api/me/group-buys", headers=buyer.headers)).json()
        assert len(mine) == 1
        late += [g["group"] for g in mine if g["group"]["id"] != group_id]
    assert len(late) == 5
    assert all(g["status"] == "open" and g["paidCount"] == 1 for g in late)
    assert all(g["me"]["rehomedFrom"] == group_id and g["me"]["status"] == "seated" for g in late)
    assert (await ledger_state()).balanced
