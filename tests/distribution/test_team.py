"""The team view: members by level, down to the levels commissions are paid on, each with the
paid orders their buyers placed this calendar month (net of refunds), by level too."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.distribution.helpers import chain, configure, share, visit
from tests.support import create_product, pay_through_sandbox, place_order


async def _buy_through(client, host_product, distributor, buyer, quantity: int) -> int:
    product, sku = host_product
    await visit(client, (await share(client, distributor, product))["code"], buyer)
    placed = await place_order(client, buyer, sku, quantity)
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    return int(placed.json()["id"])


async def test_the_team_counts_levels_and_only_this_months_paid_sales(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    host = await user_factory("host", ["host"])
    (a, _), (b, _), (c, _), (d, _) = await chain(client, user_factory, ["a", "b", "c", "d"])
    made = await create_product(client, host, price=6_000, stock=50)
    tea = (made["id"], made["skus"][0]["id"])

    # b's buyer pays twice this month; c's buyer paid last month; d's buyer never pays.
    await _buy_through(client, tea, b, await user_factory("fan1"), 2)
    await _buy_through(client, tea, b, (fan2 := await user_factory("fan2")), 1)
    old = await _buy_through(client, tea, c, await user_factory("fan3"), 1)
    await visit(client, (await share(client, d, tea[0]))["code"], fan4 := await user_factory("f4"))
    unpaid = await place_order(client, fan4, tea[1], 1)
    assert unpaid.status_code == 201, unpaid.text
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET paid_at = (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')"
            " AT TIME ZONE 'Asia/Shanghai') - interval '1 hour' WHERE id = $1",
            old,
        )
    team = (await client.get("/api/distributors/me/team", headers=a.headers)).json()
    assert (team["levels"], team["counts"]) == (2, {"1": 1, "2": 1, "3": 0})
    assert [
        (m["userId"], m["level"], m["ordersThisMonth"], m["salesThisMonth"]) for m in team["items"]
    ] == [(c.id, 2, 0, 0), (b.id, 1, 2, 18_000)]
    assert team["salesThisMonth"] == {"1": 18_000, "2": 0, "3": 0}
    level_one = (await client.get("/api/distributors/me/team?level=1", headers=a.headers)).json()
    assert [m["userId"] for m in level_one["items"]] == [b.id]

    # Three levels paid: d (a's third level) is a member now; fan2's order refunded in part
    # counts what was kept.
    await configure(client, admin, levels=3, levelRatesBp=[1000, 500, 200])
    asked = await client.get("/api/me/orders", headers=fan2.headers)
    [order] = asked.json()["items"]
    item = order["items"][0]["id"]
    refund = await client.post(
        f"/api/orders/{order['id']}/refund",
        json={"reason": "late", "itemId": item, "amount": 1_000},
        headers=fan2.headers,
    )
    assert refund.status_code in (200, 201), refund.text
    approved = await client.post(
        f"/api/refunds/{refund.json()['refunds'][0]['id']}/approve", headers=host.headers
    )
    assert approved.status_code == 200, approved.text
    team = (await client.get("/api/distributors/me/team", headers=a.headers)).json()
    assert (team["levels"], team["counts"]) == (3, {"1": 1, "2": 1, "3": 1})
    assert [(m["userId"], m["level"], m["salesThisMonth"]) for m in team["items"]] == [
        (d.id, 3, 0),
        (c.id, 2, 0),
        (b.id, 1, 17_000),
    ]
    # b's own team: c (level 1) and d (level 2); the names are masked.
    mine = (await client.get("/api/distributors/me/team", headers=b.headers)).json()
    assert [(m["name"], m["level"]) for m in mine["items"]] == [("D**", 2), ("C**", 1)]
