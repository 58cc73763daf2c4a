"""Flash sales end to end over HTTP: the terms a host may set, the 30-day-low warning, one sale
per SKU, the window, the per-buyer limit, cancelling gives the unit back, the end gives the rest
back to the SKU, a member price never stacks with the flash price (the lower one wins)."""

from __future__ import annotations

import httpx

from livecommerce.domains.marketing import flash_sales
from livecommerce.domains.orders import lifecycle
from livecommerce.infra import db
from livecommerce.wiring import order_hooks
from tests.marketing.flash_support import buy, make_sale, open_now, pay, room_with_sku, units
from tests.promotions.support import fund
from tests.support import ADDRESS, ledger_state, problem_code


async def _stock(sku_id: int) -> tuple[int, int]:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT stock, sold FROM skus WHERE id = $1", sku_id)
    return row["stock"], row["sold"]


async def test_terms_are_checked_and_one_sale_per_sku_sets_its_quantity_aside(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    room_id, sku_id = await room_with_sku(client, host, stock=50)
    for terms, field in [
        ({"countdownSeconds": 5}, "countdownSeconds"),
        ({"countdownSeconds": 301}, "countdownSeconds"),
        ({"windowMinutes": 0}, "windowMinutes"),
        ({"windowMinutes": 21}, "windowMinutes"),
        ({"price": 1_000}, "price"),
        ({"quantity": 51}, "quantity"),
        ({"perUserLimit": 11}, "perUserLimit"),
    ]:
        refused = await make_sale(client, host, room_id, sku_id, **terms)
        assert (refused.status_code, problem_code(refused)) == (400, "validation_error"), terms
        assert refused.json()["field"] == field
    made = await make_sale(client, host, room_id, sku_id, quantity=20, perUserLimit=2)
    assert made.status_code == 201, made.text
    sale = made.json()
    assert (sale["phase"], sale["left"], sale["notLowest"]) == ("upcoming", 20, False)
    assert await _stock(sku_id) == (30, 0)
    again = await make_sale(client, host, room_id, sku_id)
    assert (again.status_code, problem_code(again)) == (409, "flash_sale_exists")
    other = await user_factory("other", ["host"])
    theirs = await make_sale(client, other, room_id, sku_id)
    assert theirs.status_code == 404


async def test_a_price_not_below_the_30_day_low_is_warned_and_made_when_acknowledged(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    room_id, sku_id = await room_with_sku(client, host, stock=50)
    first = (await make_sale(client, host, room_id, sku_id, price=400)).json()
    await flash_sales.end_flash_sale(None, first["id"], host_id=host.id)
    warned = await make_sale(client, host, room_id, sku_id, price=450)
    assert (warned.status_code, problem_code(warned)) == (409, "flash_price_not_lowest")
    assert warned.json()["lowest30d"] == 400
    made = await make_sale(client, host, room_id, sku_id, price=450, acknowledgeNotLowest=True)
    assert made.status_code == 201 and made.json()["notLowest"] is True


async def test_buying_in_the_window_within_the_limit_then_cancel_and_end_give_units_back(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await fund(buyer, 10_000)
    room_id, sku_id = await room_with_sku(client, host, stock=50)
    sale = (await make_sale(client, host, room_id, sku_id, quantity=5, perUserLimit=2)).json()
    early = await buy(client, buyer, sale["id"])
    assert (early.status_code, problem_code(early)) == (409, "flash_not_started")
    await open_now(migrated.redis_url or "", sale)
    first = await buy(client, buyer, sale["id"])
    assert first.status_code == 201, first.text
    order = first.json()
    assert (order["payAmount"], order["items"][0]["unitPrice"]) == (500, 500)
    assert (await pay(client, buyer, order["id"])).status_code == 200
    second = (await buy(client, buyer, sale["id"])).json()
    over = await buy(client, buyer, sale["id"])
    assert (over.status_code, problem_code(over)) == (409, "flash_limit_reached")
    seen = (await client.get(f"/api/flash-sales/{sale['id']}")).json()
    assert (seen["phase"], seen["left"]) == ("running", 3)

    # Cancelled unpaid: the unit goes back to the sale (not to the SKU), and the buyer may buy
    # again.
    await lifecycle.cancel(order_hooks(), second["id"], None, "payment_timeout")  # not due: no-op
    cancelled = await client.post(
        f"/api/orders/{second['id']}/cancel", json={"reason": "changed"}, headers=buyer.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await client.get(f"/api/flash-sales/{sale['id']}")).json()["left"] == 4
    assert await _stock(sku_id) == (45, 0)
    third = await buy(client, buyer, sale["id"])
    assert third.status_code == 201, third.text

    # The end: the 3 units no order holds go back to the SKU; a cancel after it goes there too.
    ended = await client.post(f"/api/flash-sales/{sale['id']}/end", headers=host.headers)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["sold"], ended.json()["returned"], ended.json()["phase"]) == (
        2,
        3,
        "ended",
    )
    assert await _stock(sku_id) == (48, 2)
    late = await buy(client, buyer, sale["id"])
    assert (late.status_code, problem_code(late)) == (409, "flash_ended")
    await client.post(
        f"/api/orders/{third.json()['id']}/cancel", json={"reason": "late"}, headers=buyer.headers
    )
    assert await _stock(sku_id) == (49, 1)
    assert await units(sale["id"]) == {"held": 1, "returned": 4, "buyers": 1, "most": 1}
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_a_member_price_never_stacks_with_the_flash_price_the_lower_one_wins(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    from tests.members.tiers_support import set_ladder

    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")  # a new buyer holds the base tier, 普通
    room_id, lower_sku = await room_with_sku(client, host, price=1_000, stock=20)
    product = await client.post(
        "/api/products",
        json={"title": "Oolong", "skus": [{"name": "default", "price": 1_000, "stock": 20}]},
        headers=host.headers,
    )
    higher_sku = product.json()["skus"][0]["id"]
    shown = await client.get(f"/api/rooms/{room_id}")
    await client.put(
        f"/api/rooms/{room_id}/products",
        json={"productIds": [p["id"] for p in shown.json()["showcase"]] + [product.json()["id"]]},
        headers=host.headers,
    )
    saved = await client.put(
        "/api/host/benefits",
        json={
            "benefits": [
                {
                    "tierCode": "normal",
                    "kind": "member_price",
                    "prices": [
                        {"skuId": lower_sku, "price": 400},
                        {"skuId": higher_sku, "price": 600},
                    ],
                }
            ]
        },
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text
    paid = []
    for sku_id in (lower_sku, higher_sku):
        sale = (await make_sale(client, host, room_id, sku_id, price=500)).json()
        await open_now(migrated.redis_url or "", sale)
        placed = await buy(client, buyer, sale["id"])
        assert placed.status_code == 201, placed.text
        paid.append(placed.json()["payAmount"])
    # 400 (the member price, lower than the flash 500), then 500 (the flash price, lower than
    # the member 600): never 500 - (1,000 - 400).
    assert paid == [400, 500]


async def test_one_tap_pays_from_the_wallet_in_the_same_step_and_a_short_wallet_places_nothing(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    room_id, sku_id = await room_with_sku(client, host, stock=50)
    sale = (await make_sale(client, host, room_id, sku_id, quantity=3, perUserLimit=1)).json()
    await open_now(migrated.redis_url or "", sale)
    key = {**buyer.headers, "Idempotency-Key": "one-tap"}
    body = {"quantity": 1, "address": ADDRESS, "payWith": "wallet"}

    # 499 fen for a 500 fen unit: refused whole, no order, the unit still in the sale, the key
    # unspent.
    await fund(buyer, 499)
    short = await client.post(f"/api/flash-sales/{sale['id']}/orders", json=body, headers=key)
    assert (short.status_code, problem_code(short)) == (409, "insufficient_balance"), short.text
    assert (await client.get(f"/api/flash-sales/{sale['id']}")).json()["left"] == 3
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0

    await fund(buyer, 1)
    paid = await client.post(f"/api/flash-sales/{sale['id']}/orders", json=body, headers=key)
    assert paid.status_code == 201, paid.text
    assert (paid.json()["status"], paid.json()["payAmount"]) == ("paid", 500)
    replay = await client.post(f"/api/flash-sales/{sale['id']}/orders", json=body, headers=key)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["id"] == paid.json()["id"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments WHERE status = 'succeeded'") == 1
    assert (await client.get(f"/api/flash-sales/{sale['id']}")).json()["left"] == 2
    state = await ledger_state()
    assert state.balanced, state.problems
    assert await units(sale["id"]) == {"held": 1, "returned": 0, "buyers": 1, "most": 1}
