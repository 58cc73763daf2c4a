"""A claimed coupon at checkout: priced, held by the pending order, consumed when paid,
released when cancelled, and never paying for two orders."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from livecommerce.domains.orders import lifecycle
from livecommerce.infra import db
from livecommerce.wiring import wire
from tests.promotions.support import create_room
from tests.promotions.test_coupons import claim, make_coupon
from tests.support import (
    ADDRESS,
    TestUser,
    create_product,
    pay_through_sandbox,
    place_order,
    problem_code,
)


async def setup_shop(
    client: httpx.AsyncClient, user_factory, **coupon: Any
) -> tuple[TestUser, TestUser, list[dict[str, Any]], dict[str, Any]]:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    room_id = await create_room(host)
    products = [
        await create_product(client, host, price=price, stock=10, title=f"Tea {price}")
        for price in (6_000, 4_000, 5_000)
    ]
    template = await make_coupon(client, host, room_id, **coupon)
    copy = (await claim(client, buyer, template["id"])).json()
    return host, buyer, products, copy


def lines(*pairs: tuple[dict[str, Any], int]) -> list[dict[str, int]]:
    return [
        {"skuId": product["skus"][0]["id"], "quantity": quantity} for product, quantity in pairs
    ]


async def order_with(
    client: httpx.AsyncClient, buyer: TestUser, items: list[dict[str, int]], copy_id: int | None
) -> httpx.Response:
    import uuid

    return await client.post(
        "/api/orders",
        json={"items": items, "userCouponId": copy_id, "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )


async def copy_status(copy_id: int) -> tuple[str, int | None]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, order_id FROM user_coupons WHERE id = $1", copy_id
        )
    return row["status"], row["order_id"]


async def test_a_scoped_coupon_discounts_only_its_products_spread_by_amount(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, products, first_copy = await setup_shop(client, user_factory)
    # 1,000 off 10,000 on the first two products only
    template = await make_coupon(
        client,
        host,
        first_copy["coupon"]["roomId"],
        title="scoped",
        productIds=[products[0]["id"], products[1]["id"]],
    )
    copy = (await claim(client, buyer, template["id"])).json()
    placed = await order_with(
        client, buyer, lines((products[0], 1), (products[1], 1), (products[2], 1)), copy["id"]
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (
        order["totalAmount"],
        order["discountAmount"],
        order["payAmount"],
        order["userCouponId"],
        order["couponId"],
    ) == (15_000, 1_000, 14_000, copy["id"], copy["couponId"])
    by_price = {
        item["unitPrice"]: (item["discount"], item["paidAmount"]) for item in order["items"]
    }
    assert by_price == {6_000: (600, 5_400), 4_000: (400, 3_600), 5_000: (0, 5_000)}
    assert await copy_status(copy["id"]) == ("held", order["id"])


async def test_a_paid_order_consumes_its_coupon_and_a_cancelled_one_releases_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, products, copy = await setup_shop(
        client, user_factory, kind="percent_off", amountOff=None, percentOffBp=1_000, minSpend=0
    )
    first = (await order_with(client, buyer, lines((products[0], 1)), copy["id"])).json()
    assert (first["discountAmount"], first["payAmount"]) == (600, 5_400)
    again = await order_with(client, buyer, lines((products[1], 1)), copy["id"])
    assert (again.status_code, problem_code(again)) == (409, "coupon_unavailable")
    cancelled = await client.post(f"/api/orders/{first['id']}/cancel", headers=buyer.headers)
    assert cancelled.status_code == 200
    assert await copy_status(copy["id"]) == ("available", None)
    second = (await order_with(client, buyer, lines((products[1], 1)), copy["id"])).json()
    await pay_through_sandbox(client, buyer, second["id"])
    assert await copy_status(copy["id"]) == ("used", second["id"])
    used = await order_with(client, buyer, lines((products[2], 1)), copy["id"])
    assert (used.status_code, problem_code(used)) == (409, "coupon_unavailable")
    mine = (await client.get("/api/me/coupons?status=used", headers=buyer.headers)).json()["items"]
    assert [(c["id"], c["orderId"]) for c in mine] == [(copy["id"], second["id"])]


async def test_one_coupon_on_two_concurrent_orders_goes_to_one(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, products, copy = await setup_shop(client, user_factory, minSpend=0)
    for _ in range(5):
        responses = await asyncio.gather(
            *(order_with(client, buyer, lines((products[0], 1)), copy["id"]) for _ in range(2))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409], [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 201)
        assert (
            problem_code(next(r for r in responses if r.status_code == 409)) == "coupon_unavailable"
        )
        async with db.connection() as conn:
            assert (
                await conn.fetchval(
                    "SELECT count(*) FROM orders WHERE coupon_id = $1 AND status = "
                    "'pending_payment'",
                    copy["id"],
                )
                == 1
            )
            assert (
                await conn.fetchval(
                    "SELECT stock FROM skus WHERE id = $1", products[0]["skus"][0]["id"]
                )
                == 9
            )  # the loser's stock is back
        await client.post(f"/api/orders/{winner['id']}/cancel", headers=buyer.headers)


async def test_a_coupon_pays_for_one_order_even_when_two_orders_are_paid_at_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    """The hold makes the second order impossible; the consume hook only ever marks the holder's
    coupon."""
    _, buyer, products, copy = await setup_shop(client, user_factory, minSpend=0)
    order = (await order_with(client, buyer, lines((products[0], 1)), copy["id"])).json()
    plain = (await place_order(client, buyer, products[1]["skus"][0]["id"])).json()
    await asyncio.gather(
        pay_through_sandbox(client, buyer, order["id"]),
        pay_through_sandbox(client, buyer, plain["id"]),
    )
    async with db.connection() as conn:
        orders = await conn.fetch(
            "SELECT id, status, coupon_id, discount_amount FROM orders ORDER BY id"
        )
    assert [(o["status"], o["coupon_id"], o["discount_amount"]) for o in orders] == [
        ("paid", copy["id"], 1_000),
        ("paid", None, 0),
    ]
    assert await copy_status(copy["id"]) == ("used", order["id"])


async def test_checkout_checks_owner_validity_threshold_and_host(
    client: httpx.AsyncClient, user_factory
) -> None:
    _host, buyer, products, copy = await setup_shop(client, user_factory)
    stranger = await user_factory("stranger")
    other_host = await user_factory("otherhost", ["host"])
    foreign = await create_product(client, other_host, price=20_000)
    theirs = await order_with(client, stranger, lines((products[0], 2)), copy["id"])
    assert (theirs.status_code, problem_code(theirs)) == (404, "not_found")
    below = await order_with(client, buyer, lines((products[1], 1)), copy["id"])  # 4,000 < 10,000
    assert (below.status_code, problem_code(below)) == (409, "coupon_threshold_not_met")
    wrong_host = await order_with(client, buyer, lines((foreign, 1)), copy["id"])
    assert (wrong_host.status_code, problem_code(wrong_host)) == (409, "coupon_not_applicable")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE user_coupons SET valid_until = now() - interval '1 second' WHERE id = $1",
            copy["id"],
        )
    expired = await order_with(client, buyer, lines((products[0], 2)), copy["id"])
    assert (expired.status_code, problem_code(expired)) == (409, "coupon_expired")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE user_coupons SET valid_from = now() + interval '1 hour', valid_until = now() + "
            "interval '2 hours' WHERE id = $1",
            copy["id"],
        )
    early = await order_with(client, buyer, lines((products[0], 2)), copy["id"])
    assert (early.status_code, problem_code(early)) == (409, "coupon_not_yet_valid")
    assert await copy_status(copy["id"]) == ("available", None)  # no refusal half-wrote anything
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0


async def test_the_payment_timeout_job_releases_the_coupon(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    _, buyer, products, copy = await setup_shop(client, user_factory, minSpend=0)
    order = (await order_with(client, buyer, lines((products[0], 1)), copy["id"])).json()
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET payment_deadline = now() - interval '1 minute' WHERE id = $1",
            order["id"],
        )
    assert (
        await lifecycle.cancel(wire(migrated).orders, order["id"], None, "payment_timeout")
        is not None
    )
    assert await copy_status(copy["id"]) == ("available", None)


async def test_an_order_pays_with_user_coupon_id_and_the_old_name_coupon_id_is_refused(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, products, first_copy = await setup_shop(client, user_factory)
    # A second coupon, claimed by someone else first, so that the buyer's copy and the coupon
    # have different ids and a mix-up of the two names shows.
    template = await make_coupon(client, host, first_copy["coupon"]["roomId"], title="second")
    await claim(client, await user_factory("other"), template["id"])
    copy = (await claim(client, buyer, template["id"])).json()
    assert copy["id"] != copy["couponId"] == template["id"]
    items = lines((products[0], 2))
    # `couponId` used to name the claimed copy here; a client still sending it must not be
    # charged the full price without a word.
    old = await client.post(
        "/api/orders",
        json={"items": items, "couponId": copy["id"], "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": "old-name"},
    )
    assert (old.status_code, problem_code(old)) == (400, "validation_error")
    assert "couponId" in old.json()["detail"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0
    placed = await order_with(client, buyer, items, copy["id"])
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["payAmount"], order["userCouponId"], order["couponId"]) == (
        11_000,
        copy["id"],
        template["id"],
    )
    mine = await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)
    assert (mine.json()["userCouponId"], mine.json()["couponId"]) == (copy["id"], template["id"])
