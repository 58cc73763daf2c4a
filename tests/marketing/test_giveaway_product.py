"""A product as the giveaway prize (实物奖品): its units set aside from the SKU's stock at the
start, a winner's claim ships one as a zero-price order the host ships like any other (no
payment, no ledger posting, no commission, growth or points), claimed twice it is the same order,
and units nobody gets go back to the SKU once, however often the jobs run."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from livecommerce.domains.marketing import giveaway_room
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.marketing.giveaway_support import claims_due, draw, end_now, giveaway_jobs, start
from tests.support import (
    ADDRESS,
    TestUser,
    add_address,
    create_product,
    ledger_state,
    live_room_with_product,
    problem_code,
)


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    giveaway_room.forget_all()


async def _stock(sku_id: int) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT stock FROM skus WHERE id = $1", sku_id))


async def _room(client: httpx.AsyncClient, host: TestUser, **product: Any) -> tuple[int, int]:
    room, item = await live_room_with_product(client, host, price=990, stock=10, **product)
    return int(room["id"]), int(item["skus"][0]["id"])


async def _drawn(
    client: httpx.AsyncClient, host: TestUser, viewers: list[TestUser], **fields: Any
) -> tuple[dict[str, Any], int]:
    room_id, sku_id = await _room(client, host)
    body = {"prizeKind": "product", "skuId": sku_id, "winners": len(viewers), **fields}
    started = await start(client, host, room_id, **body)
    assert started.status_code == 201, started.text
    giveaway = started.json()
    for viewer in viewers:
        await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    return giveaway, sku_id


async def test_a_product_prize_ships_as_one_zero_price_order_with_no_money_moved(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    alice, bobby = await user_factory("alice"), await user_factory("bobby")
    room_id, sku_id = await _room(client, host)
    started = await start(client, host, room_id, prizeKind="product", skuId=sku_id, winners=2)
    assert started.status_code == 201, started.text
    giveaway = started.json()
    assert giveaway["prizeKind"] == "product" and giveaway["skuId"] == sku_id
    assert giveaway["prizeValue"] == 990 and giveaway["prizeTitle"] == "Tea · default"
    assert await _stock(sku_id) == 8  # both prizes set aside now
    for viewer in (alice, bobby):
        await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    claim = f"/api/giveaways/{giveaway['id']}/claim"

    # Where it ships is asked for; without it the prize is still there to claim.
    bare = await client.post(claim, headers=alice.headers)
    assert bare.status_code == 422 and problem_code(bare) == "address_required"
    # Claimed five times at once: one order, answered to every one of them.
    claims = await asyncio.gather(
        *(client.post(claim, json={"address": ADDRESS}, headers=alice.headers) for _ in range(5))
    )
    assert [r.status_code for r in claims] == [200] * 5, [r.text for r in claims]
    assert len({r.json()["orderId"] for r in claims}) == 1
    order_id = claims[0].json()["orderId"]
    again = await client.post(claim, headers=alice.headers)
    assert again.status_code == 200 and again.json()["orderId"] == order_id

    order = (await client.get(f"/api/orders/{order_id}", headers=alice.headers)).json()
    assert order["status"] == "paid" and order["payAmount"] == 0 and order["totalAmount"] == 0
    assert order["paymentMethod"] == "giveaway" and order["address"]["name"] == "Li Lei"
    assert [(i["skuId"], i["quantity"]) for i in order["items"]] == [(sku_id, 1)]
    async with db.connection() as conn:
        assert await conn.fetchval(
            "SELECT bool_and(stock_reserved) FROM order_items WHERE order_id = $1", order_id
        )
    # On the host's desk to ship, like any paid order.
    desk = await client.get(
        "/api/host/desk/orders", params={"tab": "to_ship"}, headers=host.headers
    )
    assert [item["order"]["id"] for item in desk.json()["items"]] == [order_id]
    shipped = await client.post(
        f"/api/orders/{order_id}/ship", json={"trackingNo": "SF1"}, headers=host.headers
    )
    assert shipped.status_code == 200, shipped.text
    confirmed = await client.post(f"/api/orders/{order_id}/confirm", headers=alice.headers)
    assert confirmed.status_code == 200, confirmed.text
    # Nothing was paid: nothing refunds (a clear code, no zero posting).
    refund = await client.post(
        f"/api/orders/{order_id}/refund", json={"reasonCode": "damaged"}, headers=alice.headers
    )
    assert refund.status_code == 409 and problem_code(refund) == "prize_order_not_refundable"
    from livecommerce.domains.orders import jobs

    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET after_sales_until = now() - interval '1 minute' WHERE id = $1",
            order_id,
        )
    ctx = job_context(migrated)
    assert [await jobs.complete_order(ctx, order_id) for _ in range(2)] == [True, False]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == (
            "completed"
        )
        for table in ("payments", "commissions", "member_growth", "points_earnings"):
            count = await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE order_id = $1", order_id
            )
            assert count == 0, table
        postings = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE business_key LIKE $1",
            f"order:{order_id}:%",
        )
        assert postings == 0
    assert await _stock(sku_id) == 8  # the shipped unit was one of those set aside
    assert (await ledger_state()).balanced


async def test_lapsed_and_undrawn_units_go_back_to_the_sku_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    viewers = [await user_factory("fan0"), await user_factory("fan1")]
    # Three prizes, two entrants: one unit back at the draw (run again: nothing more).
    giveaway, sku_id = await _drawn(client, host, viewers, winners=3, onUnclaimed="lapse")
    assert await _stock(sku_id) == 10 - 3 + 1
    assert await draw(giveaway["id"]) is False
    claimed = await client.post(
        f"/api/giveaways/{giveaway['id']}/claim",
        json={"addressId": (await add_address(client, viewers[0]))["id"]},
        headers=viewers[0].headers,
    )
    assert claimed.status_code == 200, claimed.text
    await claims_due(giveaway["id"])
    lapsed = await asyncio.gather(
        giveaway_jobs.expire_giveaway_claims({}, giveaway["id"]),
        giveaway_jobs.expire_giveaway_claims({}, giveaway["id"]),
    )
    assert sorted(lapsed) == [0, 1]
    assert await giveaway_jobs.sweep_giveaways({}) == 0
    assert await _stock(sku_id) == 9  # the claimed unit stays out, the other two are back
    late = await client.post(
        f"/api/giveaways/{giveaway['id']}/claim",
        json={"address": ADDRESS},
        headers=viewers[1].headers,
    )
    assert late.status_code == 409 and problem_code(late) == "claim_expired"
    shown = (await client.get(f"/api/giveaways/{giveaway['id']}")).json()
    assert shown["status"] == "closed"
    async with db.connection() as conn:
        returned = await conn.fetch(
            "SELECT key, units FROM giveaway_stock_returns WHERE giveaway_id = $1 ORDER BY key",
            giveaway["id"],
        )
    assert sum(r["units"] for r in returned) == 2


async def test_a_redraw_keeps_the_unit_set_aside_for_the_next_winner(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    viewers = [await user_factory(f"fan{i}") for i in range(3)]
    room_id, sku_id = await _room(client, host)
    giveaway = (
        await start(client, host, room_id, prizeKind="product", skuId=sku_id, winners=1)
    ).json()
    for viewer in viewers:
        await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    await claims_due(giveaway["id"])
    assert await giveaway_jobs.expire_giveaway_claims({}, giveaway["id"]) == 1
    assert await _stock(sku_id) == 9  # redrawn: the unit waits for the round-2 winner


async def test_hostile_starts_are_refused_and_take_no_stock(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    rival = await user_factory("rival", ["host"])
    admin = await user_factory("admin", ["admin"])
    room_id, sku_id = await _room(client, host)
    foreign = (await create_product(client, rival, price=500, stock=5))["skus"][0]["id"]

    theirs = await start(client, host, room_id, prizeKind="product", skuId=foreign, winners=1)
    assert theirs.status_code == 404 and problem_code(theirs) == "not_found"
    assert await _stock(foreign) == 5
    missing = await start(client, host, room_id, prizeKind="product", winners=1)
    assert missing.status_code == 400 and problem_code(missing) == "validation_error"
    unknown = await start(client, host, room_id, prizeKind="product", skuId=2**31 - 1, winners=1)
    assert unknown.status_code == 404
    huge = await start(client, host, room_id, prizeKind="product", skuId=2**40, winners=1)
    assert huge.status_code == 400, huge.text
    too_many = await start(client, host, room_id, prizeKind="product", skuId=sku_id, winners=11)
    assert too_many.status_code == 409 and problem_code(too_many) == "out_of_stock"
    await client.put(
        "/api/admin/settings/giveaways", json={"prizeValueCap": 1000}, headers=admin.headers
    )
    over = await start(client, host, room_id, prizeKind="product", skuId=sku_id, winners=2)
    assert over.status_code == 422 and problem_code(over) == "prize_over_cap"
    assert await _stock(sku_id) == 10
    # Another host can't start one in this room, not even with its own SKU.
    intruder = await start(client, rival, room_id, prizeKind="product", skuId=foreign, winners=1)
    assert intruder.status_code in (403, 404), intruder.text
    assert await _stock(foreign) == 5


async def test_hostile_claims_are_refused_and_the_prize_stays_claimable(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    winner, outsider = await user_factory("winner"), await user_factory("outsider")
    giveaway, sku_id = await _drawn(client, host, [winner])
    claim = f"/api/giveaways/{giveaway['id']}/claim"
    stranger = await client.post(claim, json={"address": ADDRESS}, headers=outsider.headers)
    assert stranger.status_code == 404 and problem_code(stranger) == "not_found"
    hosted = await client.post(claim, json={"address": ADDRESS}, headers=host.headers)
    assert hosted.status_code == 404
    others = await add_address(client, outsider)
    borrowed = await client.post(claim, json={"addressId": others["id"]}, headers=winner.headers)
    assert borrowed.status_code == 404, borrowed.text
    for body in (
        {"address": {**ADDRESS, "name": "  "}},
        {"address": {**ADDRESS, "detail": ""}},
        {"address": ADDRESS, "addressId": others["id"]},
    ):
        refused = await client.post(claim, json=body, headers=winner.headers)
        assert refused.status_code == 400, (body, refused.text)
        assert problem_code(refused) == "validation_error"
    for body in ({"addressId": 2**40}, {"address": "x"}, {"address": {"name": "a" * 10_000}}):
        refused = await client.post(claim, json=body, headers=winner.headers)
        assert 400 <= refused.status_code < 500, (body, refused.text)
        assert problem_code(refused)  # a problem document, never a 5xx
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0
    ok = await client.post(claim, json={"address": ADDRESS}, headers=winner.headers)
    assert ok.status_code == 200, ok.text
    # The host may ship it, nobody else may read it.
    seen = await client.get(f"/api/orders/{ok.json()['orderId']}", headers=outsider.headers)
    assert seen.status_code == 404
    assert await _stock(sku_id) == 9
    assert (await ledger_state()).balanced


async def test_the_prize_sku_stays_while_a_giveaway_names_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room, item = await live_room_with_product(client, host, price=990, stock=10)
    sku_id = item["skus"][0]["id"]
    started = await start(client, host, int(room["id"]), prizeKind="product", skuId=sku_id)
    assert started.status_code == 201, started.text
    removed = await client.patch(
        f"/api/products/{item['id']}",
        json={"skus": [{"id": sku_id, "remove": True}]},
        headers=host.headers,
    )
    assert (removed.status_code, problem_code(removed)) == (409, "sku_has_orders")
    assert await _stock(sku_id) == 8
