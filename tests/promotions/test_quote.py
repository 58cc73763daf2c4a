"""The checkout quote: the price the buy sheet shows is the price the order is then placed at,
for every kind of coupon, and a coupon that can't be used says why."""

from __future__ import annotations

from typing import Any

import httpx

from livecommerce.infra import db
from tests.promotions.support import create_room
from tests.promotions.test_coupon_checkout import lines, order_with, setup_shop
from tests.promotions.test_coupons import claim, make_coupon
from tests.support import TestUser, create_product, problem_code


async def quote(
    client: httpx.AsyncClient,
    buyer: TestUser,
    items: list[dict[str, int]],
    user_coupon_id: int | None = None,
) -> httpx.Response:
    return await client.post(
        "/api/checkout/quote",
        json={"items": items, "userCouponId": user_coupon_id},
        headers=buyer.headers,
    )


async def quoted(
    client: httpx.AsyncClient,
    buyer: TestUser,
    items: list[dict[str, int]],
    user_coupon_id: int | None = None,
) -> dict[str, Any]:
    response = await quote(client, buyer, items, user_coupon_id)
    assert response.status_code == 200, response.text
    return response.json()


async def assert_quote_is_what_the_order_costs(
    client: httpx.AsyncClient, buyer: TestUser, items: list[dict[str, int]], copy_id: int
) -> dict[str, Any]:
    """Quote, place the same order, compare, and cancel it (the coupon is free again)."""
    before = await quoted(client, buyer, items, copy_id)
    placed = await order_with(client, buyer, items, copy_id)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (before["totalAmount"], before["discountAmount"], before["payAmount"]) == (
        order["totalAmount"],
        order["discountAmount"],
        order["payAmount"],
    )
    assert before["userCouponId"] == order["userCouponId"] == copy_id
    [listed] = [c for c in before["coupons"] if c["userCouponId"] == copy_id]
    assert (listed["applicable"], listed["reason"]) == (True, None)
    assert listed["discountAmount"] == order["discountAmount"]
    cancelled = await client.post(f"/api/orders/{order['id']}/cancel", headers=buyer.headers)
    assert cancelled.status_code == 200, cancelled.text
    return before


async def test_an_amount_off_coupon_is_quoted_as_the_order_is_charged(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, products, copy = await setup_shop(client, user_factory)  # 1,000 off 10,000
    first = await assert_quote_is_what_the_order_costs(
        client, buyer, lines((products[0], 2)), copy["id"]
    )
    assert (first["totalAmount"], first["discountAmount"], first["payAmount"]) == (
        12_000,
        1_000,
        11_000,
    )
    for pairs in [((products[1], 1), (products[2], 2)), ((products[0], 1), (products[1], 3))]:
        await assert_quote_is_what_the_order_costs(client, buyer, lines(*pairs), copy["id"])


async def test_a_capped_percent_off_coupon_is_quoted_as_the_order_is_charged(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, products, copy = await setup_shop(
        client,
        user_factory,
        kind="percent_off",
        amountOff=None,
        percentOffBp=1_234,
        maxDiscount=1_500,
        minSpend=0,
    )
    small = await assert_quote_is_what_the_order_costs(
        client, buyer, lines((products[2], 1)), copy["id"]
    )
    assert small["discountAmount"] == 617  # 12.34 % of 5,000, floored
    capped = await assert_quote_is_what_the_order_costs(
        client, buyer, lines((products[0], 2), (products[1], 1)), copy["id"]
    )
    assert capped["discountAmount"] == 1_500  # 12.34 % of 16,000 is 1,974: capped


async def test_a_product_scoped_coupon_is_quoted_as_the_order_is_charged(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, products, first_copy = await setup_shop(client, user_factory)
    template = await make_coupon(
        client,
        host,
        first_copy["coupon"]["roomId"],
        title="scoped 15 %",
        kind="percent_off",
        amountOff=None,
        percentOffBp=1_500,
        minSpend=6_000,
        productIds=[products[0]["id"], products[1]["id"]],
    )
    copy = (await claim(client, buyer, template["id"])).json()
    scoped = await assert_quote_is_what_the_order_costs(
        client, buyer, lines((products[0], 1), (products[1], 1), (products[2], 1)), copy["id"]
    )
    assert (scoped["totalAmount"], scoped["discountAmount"]) == (15_000, 1_500)
    # Outside its scope the copy doesn't apply; the store-wide one (1,000 off 10,000) does.
    outside = await quoted(client, buyer, lines((products[2], 2)), copy["id"])
    assert (outside["userCouponId"], outside["payAmount"]) == (None, 10_000)
    by_copy = {c["userCouponId"]: c for c in outside["coupons"]}
    assert (by_copy[copy["id"]]["applicable"], by_copy[copy["id"]]["reason"]) == (
        False,
        "coupon_not_applicable",
    )
    assert by_copy[first_copy["id"]]["discountAmount"] == 1_000
    assert outside["bestUserCouponId"] == first_copy["id"]


async def test_the_best_coupon_is_the_largest_discount_on_these_items(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, products, ten_off = await setup_shop(client, user_factory)
    room_id = ten_off["coupon"]["roomId"]
    percent = await make_coupon(
        client,
        host,
        room_id,
        title="20 % off",
        kind="percent_off",
        amountOff=None,
        percentOffBp=2_000,
        minSpend=0,
    )
    twenty = (await claim(client, buyer, percent["id"])).json()
    plain = await quoted(client, buyer, lines((products[1], 1)))  # 4,000: only the 20 % applies
    assert (plain["userCouponId"], plain["discountAmount"], plain["payAmount"]) == (
        None,
        0,
        4_000,
    )
    assert plain["bestUserCouponId"] == twenty["id"]
    assert {c["userCouponId"]: c["discountAmount"] for c in plain["coupons"]} == {
        ten_off["id"]: 0,
        twenty["id"]: 800,
    }
    # 12,000: 2,400 off beats 1,000 off.
    big = await quoted(client, buyer, lines((products[0], 2)), ten_off["id"])
    assert (big["userCouponId"], big["discountAmount"], big["bestUserCouponId"]) == (
        ten_off["id"],
        1_000,
        twenty["id"],
    )


async def test_a_threshold_not_met_or_a_copy_not_yet_valid_is_listed_with_its_reason(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, products, copy = await setup_shop(client, user_factory)  # 1,000 off 10,000
    below = await quoted(client, buyer, lines((products[1], 1)), copy["id"])  # 4,000
    assert (
        below["totalAmount"],
        below["discountAmount"],
        below["payAmount"],
        below["userCouponId"],
        below["bestUserCouponId"],
    ) == (4_000, 0, 4_000, None, None)
    assert below["coupons"] == [
        {
            "userCouponId": copy["id"],
            "couponId": copy["couponId"],
            "title": copy["coupon"]["title"],
            "discountAmount": 0,
            "applicable": False,
            "reason": "coupon_threshold_not_met",
        }
    ]
    placed = await order_with(client, buyer, lines((products[1], 1)), copy["id"])
    assert (placed.status_code, problem_code(placed)) == (409, "coupon_threshold_not_met")

    async with db.connection() as conn:
        await conn.execute(
            "UPDATE user_coupons SET valid_from = now() + interval '1 hour',"
            " valid_until = now() + interval '2 hours' WHERE id = $1",
            copy["id"],
        )
    early = await quoted(client, buyer, lines((products[0], 2)), copy["id"])
    assert (early["userCouponId"], early["payAmount"]) == (None, 12_000)
    assert [(c["applicable"], c["reason"]) for c in early["coupons"]] == [
        (False, "coupon_not_yet_valid")
    ]


async def test_only_the_buyers_usable_copies_of_this_host_count(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, products, copy = await setup_shop(client, user_factory)
    stranger = await user_factory("stranger")
    theirs = await quote(client, stranger, lines((products[0], 2)), copy["id"])
    assert (theirs.status_code, problem_code(theirs)) == (404, "not_found")
    assert (await quoted(client, stranger, lines((products[0], 2))))["coupons"] == []
    missing = await quote(client, buyer, lines((products[0], 2)), 987_654)
    assert (missing.status_code, problem_code(missing)) == (404, "not_found")

    # The buyer's copy is for the first host: not listed for another host's product, and
    # refused as placing the order would refuse it.
    other_host = await user_factory("otherhost", ["host"])
    foreign = await create_product(client, other_host, price=20_000)
    elsewhere = await quoted(client, buyer, lines((foreign, 1)))
    assert (elsewhere["coupons"], elsewhere["bestUserCouponId"]) == ([], None)
    wrong_host = await quote(client, buyer, lines((foreign, 1)), copy["id"])
    assert (wrong_host.status_code, problem_code(wrong_host)) == (409, "coupon_not_applicable")

    # A copy held by a pending order is no longer offered.
    order = (await order_with(client, buyer, lines((products[0], 2)), copy["id"])).json()
    assert (await quoted(client, buyer, lines((products[0], 2))))["coupons"] == []
    held = await quote(client, buyer, lines((products[0], 2)), copy["id"])
    assert (held.status_code, problem_code(held)) == (409, "coupon_unavailable")
    await client.post(f"/api/orders/{order['id']}/cancel", headers=buyer.headers)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE user_coupons SET valid_until = now() - interval '1 second' WHERE id = $1",
            copy["id"],
        )
    expired = await quote(client, buyer, lines((products[0], 2)), copy["id"])
    assert (expired.status_code, problem_code(expired)) == (409, "coupon_expired")


async def test_items_are_refused_as_an_order_would_refuse_them(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer, products, _ = await setup_shop(client, user_factory)
    other_host = await user_factory("otherhost", ["host"])
    foreign = await create_product(client, other_host, price=20_000)
    mixed = await quote(client, buyer, lines((products[0], 1), (foreign, 1)))
    assert (mixed.status_code, problem_code(mixed)) == (400, "mixed_hosts")
    placed = await order_with(client, buyer, lines((products[0], 1), (foreign, 1)), None)
    assert (placed.status_code, problem_code(placed)) == (400, "mixed_hosts")

    shelved = await create_product(client, host, price=3_000, on_shelf=False)
    off = await quote(client, buyer, lines((shelved, 1)))
    assert (off.status_code, problem_code(off), off.json()["skuId"]) == (
        409,
        "product_unavailable",
        shelved["skus"][0]["id"],
    )
    unknown = await quote(client, buyer, [{"skuId": 999_999, "quantity": 1}])
    assert (unknown.status_code, problem_code(unknown)) == (409, "product_unavailable")
    for body in (
        {"items": []},
        {"items": [{"skuId": products[0]["skus"][0]["id"], "quantity": 0}]},
        {"items": [{"skuId": products[0]["skus"][0]["id"], "quantity": 1_000}]},
        {"items": lines((products[0], 1)) * 51},
    ):
        bad = await client.post("/api/checkout/quote", json=body, headers=buyer.headers)
        assert (bad.status_code, problem_code(bad)) == (400, "validation_error"), body
    guest = await client.post("/api/checkout/quote", json={"items": lines((products[0], 1))})
    assert (guest.status_code, problem_code(guest)) == (401, "not_authenticated")


async def test_a_quote_reserves_nothing(client: httpx.AsyncClient, user_factory) -> None:
    _, buyer, products, copy = await setup_shop(client, user_factory)
    await quoted(client, buyer, lines((products[0], 2)), copy["id"])
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, order_id FROM user_coupons WHERE id = $1", copy["id"]
        )
        stock = await conn.fetchval(
            "SELECT stock FROM skus WHERE id = $1", products[0]["skus"][0]["id"]
        )
    assert (row["status"], row["order_id"], stock) == ("available", None, 10)


async def test_a_room_of_the_same_host_makes_no_difference(
    client: httpx.AsyncClient, user_factory
) -> None:
    """Coupons belong to a host, not to the room they were dropped in."""
    host, buyer, products, copy = await setup_shop(client, user_factory)
    second_room = await create_room(host, title="Second room")
    other = await make_coupon(client, host, second_room, title="other room", minSpend=0)
    other_copy = (await claim(client, buyer, other["id"])).json()
    listed = await quoted(client, buyer, lines((products[0], 2)))
    assert {c["userCouponId"] for c in listed["coupons"]} == {copy["id"], other_copy["id"]}
