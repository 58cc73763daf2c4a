"""Who may open or join a group, and what an unpaid order holds (nothing)."""

from __future__ import annotations

from livecommerce.domains.orders import jobs as order_jobs
from livecommerce.infra import db
from tests.marketing.group_support import (
    expire,
    group_product,
    group_row,
    join_group,
    members,
    open_group,
    opened,
    pay_wallet,
)
from tests.promotions.support import fund
from tests.support import problem_code


async def test_one_open_group_per_user_and_product(client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=3)
    sku_id = product["skuId"]
    alice, bob = await user_factory("alice"), await user_factory("bob")
    await fund(alice, 10_000)
    group_id, _ = await opened(client, alice, sku_id)
    # Alice leads an open group of it: she may neither open another nor join Bob's.
    again = await open_group(client, alice, sku_id)
    assert again.status_code == 409 and problem_code(again) == "group_buy_already_in"
    assert again.json()["groupId"] == group_id
    await fund(bob, 10_000)
    bobs_group, _ = await opened(client, bob, sku_id)
    into_bobs = await join_group(client, alice, bobs_group, sku_id)
    assert problem_code(into_bobs) == "group_buy_already_in"
    # An unpaid order counts too (pay or cancel it first); cancelled, it frees the buyer.
    carol = await user_factory("carol")
    first = await join_group(client, carol, group_id, sku_id)
    assert first.status_code == 201, first.text
    second = await join_group(client, carol, bobs_group, sku_id)
    assert problem_code(second) == "group_buy_already_in"
    cancelled = await client.post(
        f"/api/orders/{first.json()['order']['id']}/cancel", json={}, headers=carol.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await join_group(client, carol, bobs_group, sku_id)).status_code == 201


async def test_an_unpaid_order_holds_no_seat(app, client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    sku_id = product["skuId"]
    leader, slow, quick = [await user_factory(n) for n in ("leader", "slow", "quick")]
    for user in (leader, quick):
        await fund(user, 10_000)
    # A leader who has not paid has no group anyone else can see or join.
    unpaid = await open_group(client, leader, sku_id)
    group_id, leader_order = unpaid.json()["groupId"], unpaid.json()["order"]["id"]
    assert (
        await client.get(f"/api/group-buys/{group_id}", headers=quick.headers)
    ).status_code == 404
    offer = (await client.get(f"/api/products/{product['id']}/group-buy")).json()
    assert offer["openGroups"] == []
    assert (
        problem_code(await join_group(client, quick, group_id, sku_id)) == "group_buy_unavailable"
    )
    assert (await pay_wallet(client, leader, leader_order)).status_code == 200
    offer = (await client.get(f"/api/products/{product['id']}/group-buy")).json()
    assert [(g["id"], g["seatsLeft"]) for g in offer["openGroups"]] == [(group_id, 1)]
    # The slow buyer places an order and does not pay: the seat is still free, and the quick
    # buyer who pays takes it.
    slow_order = (await join_group(client, slow, group_id, sku_id)).json()["order"]["id"]
    quick_order = (await join_group(client, quick, group_id, sku_id)).json()["order"]["id"]
    assert (await group_row(group_id))["paid_count"] == 1
    page = (await client.get(f"/api/group-buys/{group_id}")).json()
    assert len(page["members"]) == 1 and page["seatsLeft"] == 1
    assert (await pay_wallet(client, quick, quick_order)).status_code == 200
    assert (await group_row(group_id))["status"] == "succeeded"
    # The slow buyer's order expires unpaid: it leaves the group and holds nothing.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET payment_deadline = now() - interval '1 second' WHERE id = $1",
            slow_order,
        )
    assert await order_jobs.cancel_unpaid_order({"wiring": app.state.wiring}, slow_order)
    by_order = {m["order_id"]: m for m in await members(group_id)}
    assert by_order[slow_order]["seat"] is None and by_order[slow_order]["status"] == "released"
    assert (await group_row(group_id))["paid_count"] == 2


async def test_a_leader_who_never_pays_leaves_no_group(app, client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    leader = await user_factory("leader")
    placed = (await open_group(client, leader, product["skuId"])).json()
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET payment_deadline = now() - interval '1 second' WHERE id = $1",
            placed["order"]["id"],
        )
    assert await order_jobs.cancel_unpaid_order({"wiring": app.state.wiring}, placed["order"]["id"])
    assert (await group_row(placed["groupId"]))["status"] == "abandoned"
    # Free to open another.
    assert (await open_group(client, leader, product["skuId"])).status_code == 201


async def test_own_full_and_expired_groups_are_refused_with_their_codes(client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    sku_id = product["skuId"]
    leader, member, late = [await user_factory(n) for n in ("leader", "member", "late")]
    for user in (leader, member):
        await fund(user, 10_000)
    group_id, _ = await opened(client, leader, sku_id)
    own = await join_group(client, leader, group_id, sku_id)
    assert own.status_code == 409 and problem_code(own) == "group_buy_own"
    joined = await join_group(client, member, group_id, sku_id)
    assert (await pay_wallet(client, member, joined.json()["order"]["id"])).status_code == 200
    full = await join_group(client, late, group_id, sku_id)
    assert full.status_code == 409 and problem_code(full) == "group_buy_full"
    # Another group, past its deadline.
    other = await user_factory("other")
    await fund(other, 10_000)
    stale_id, _ = await opened(client, other, sku_id)
    await expire(stale_id)
    expired = await join_group(client, late, stale_id, sku_id)
    assert expired.status_code == 409 and problem_code(expired) == "group_buy_expired"
    # A group of another product, or none at all: 404.
    elsewhere = await group_product(client, host, size=2)
    wrong = await join_group(client, late, group_id, elsewhere["skuId"])
    assert wrong.status_code == 404
    assert (await join_group(client, late, 999_999, sku_id)).status_code == 404


async def test_paying_after_the_group_expired_opens_a_new_group_never_a_late_seat(
    client, user_factory
):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=3)
    sku_id = product["skuId"]
    leader, late = await user_factory("leader"), await user_factory("late")
    for user in (leader, late):
        await fund(user, 10_000)
    group_id, _ = await opened(client, leader, sku_id)
    placed = await join_group(client, late, group_id, sku_id)
    await expire(group_id)
    assert (await pay_wallet(client, late, placed.json()["order"]["id"])).status_code == 200
    assert (await group_row(group_id))["paid_count"] == 1
    (mine,) = (await client.get("/api/me/group-buys", headers=late.headers)).json()
    assert mine["group"]["id"] != group_id and mine["group"]["status"] == "open"
    assert mine["group"]["members"][0]["leader"] is True
    assert mine["group"]["me"] == {
        "orderId": placed.json()["order"]["id"],
        "status": "seated",
        "rehomedFrom": group_id,
    }
