"""The tier and benefit routes: who may read and edit, what a bad ladder or benefit answers, a
member's standing across hosts, and member prices at checkout (before the coupon, additive)."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.members.test_benefits_grants import _voucher
from tests.members.tiers_support import LADDER, buy, place, set_ladder, sku_of, standing
from tests.support import ADDRESS, TestUser, create_product, problem_code


async def _put(client: httpx.AsyncClient, host: TestUser, **body: object) -> httpx.Response:
    return await client.put("/api/host/tiers", json=body, headers=host.headers)


async def test_a_bad_ladder_answers_problem_details_never_a_5xx(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    twice = [LADDER[0], {**LADDER[1], "code": "normal"}]
    down = [LADDER[1], LADDER[0]]
    nine = [{"code": f"t{i}", "name": f"T{i}", "threshold": i} for i in range(9)]
    cases = [
        ({"window": "month", "tiers": twice}, 422, "tier_ladder_invalid"),
        ({"window": "month", "tiers": down}, 422, "tier_ladder_invalid"),
        ({"window": "days", "tiers": LADDER}, 422, "tier_ladder_invalid"),  # how many days?
        ({"window": "month", "days": 30, "tiers": LADDER}, 422, "tier_ladder_invalid"),
        ({"window": "month", "tiers": nine}, 400, "validation_error"),
        ({"window": "week", "tiers": LADDER}, 400, "validation_error"),
        ({"window": "month", "tiers": [{**LADDER[0], "code": "Gold!"}]}, 400, "validation_error"),
        ({"window": "month", "tiers": [{**LADDER[0], "name": "长" * 17}]}, 400, "validation_error"),
        ({"window": "month", "tiers": [{**LADDER[0], "threshold": -1}]}, 400, "validation_error"),
        ({"window": "days", "days": 0, "tiers": LADDER}, 400, "validation_error"),
    ]
    for body, status, code in cases:
        answered = await _put(client, host, **body)
        assert (answered.status_code, problem_code(answered)) == (status, code), body
    blank = await _put(client, host, window="month", tiers=[{**LADDER[0], "name": "  "}])
    assert (blank.status_code, problem_code(blank)) == (422, "tier_ladder_invalid")
    saved = await _put(client, host, window="days", days=90, tiers=LADDER)
    assert saved.status_code == 200
    assert (saved.json()["window"], saved.json()["days"]) == ("days", 90)
    assert [t["name"] for t in saved.json()["tiers"]] == ["普通", "银卡", "金卡", "黑金"]


async def test_the_host_edits_its_staff_reads_others_are_refused(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    aide = await user_factory("aide", ["staff"])
    viewer = await user_factory("viewer")
    other = await user_factory("other", ["host"])
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO host_staff (host_id, user_id, created_at) VALUES ($1, $2, now())",
            host.id,
            aide.id,
        )
    await set_ladder(client, host, "month")
    read = await client.get("/api/host/tiers", headers=aide.headers)
    assert read.status_code == 200 and len(read.json()["tiers"]) == 4
    assert (await client.get("/api/host/benefits", headers=aide.headers)).status_code == 200
    edit = await client.put(
        "/api/host/tiers", json={"window": "all", "tiers": []}, headers=aide.headers
    )
    assert edit.status_code == 403
    assert (await client.get("/api/host/tiers", headers=viewer.headers)).status_code == 403
    assert (await client.get("/api/host/tiers")).status_code == 401
    # Another host sees its own (empty) ladder, never this one.
    assert (await client.get("/api/host/tiers", headers=other.headers)).json()["tiers"] == []
    # A user who is not a host has no membership page.
    missing = await client.get(f"/api/hosts/{viewer.id}/membership", headers=viewer.headers)
    assert (missing.status_code, problem_code(missing)) == (404, "not_found")


async def test_benefits_are_checked_and_a_tier_with_benefits_stays_on_the_ladder(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    other = await user_factory("other", ["host"])
    await set_ladder(client, host, "month")
    mine = await _voucher(client, host)
    theirs = await _voucher(client, other)
    threshold = await _voucher(client, host, minSpend=50_00)
    dropped = await _voucher(client, host, drop=True)
    sku = await sku_of(client, host, 100_00)
    their_sku = await sku_of(client, other, 100_00)

    async def put(*benefits: dict) -> httpx.Response:
        return await client.put(
            "/api/host/benefits", json={"benefits": list(benefits)}, headers=host.headers
        )

    voucher = {"tierCode": "silver", "kind": "voucher"}
    price = {"tierCode": "gold", "kind": "member_price"}
    cases = [
        (put({**voucher, "couponId": theirs}), 404, "not_found"),
        (put({**voucher, "couponId": threshold}), 422, "benefit_invalid"),
        (put({**voucher, "couponId": dropped}), 422, "benefit_invalid"),
        (put({**voucher, "couponId": mine, "tierCode": "nope"}), 422, "benefit_invalid"),
        (put({**voucher}), 422, "benefit_invalid"),
        (put({**voucher, "couponId": mine}, {**voucher, "couponId": mine}), 422, "benefit_invalid"),
        (put({**price, "prices": [{"skuId": their_sku, "price": 1}]}), 404, "not_found"),
        (put({**price, "prices": [{"skuId": sku, "price": 100_00}]}), 422, "benefit_invalid"),
        (put({**price, "prices": []}), 422, "benefit_invalid"),
        (
            put({"tierCode": "gold", "kind": "red_packet", "amount": 100, "rule": "FREQ=DAILY"}),
            422,
            "benefit_invalid",
        ),
        (put({"tierCode": "gold", "kind": "red_packet", "amount": 100}), 422, "benefit_invalid"),
    ]
    for call, status, code in cases:
        answered = await call
        assert (answered.status_code, problem_code(answered)) == (status, code), answered.text
    saved = await put(
        {**voucher, "couponId": mine}, {**price, "prices": [{"skuId": sku, "price": 80_00}]}
    )
    assert saved.status_code == 200, saved.text
    first_ids = sorted(b["id"] for b in saved.json()["benefits"])
    again = await put(
        {**voucher, "couponId": mine}, {**price, "prices": [{"skuId": sku, "price": 70_00}]}
    )
    assert sorted(b["id"] for b in again.json()["benefits"]) == first_ids  # ids kept

    without_gold = [t for t in LADDER if t["code"] != "gold"]
    refused = await _put(client, host, window="month", tiers=without_gold)
    assert (refused.status_code, problem_code(refused)) == (409, "tier_has_benefits")


async def test_a_member_price_comes_before_the_coupon_and_only_for_the_tier(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    regular = await user_factory("regular")
    newcomer = await user_factory("newcomer")
    await set_ladder(client, host, "month")
    tea = await create_product(client, host, price=100_00, stock=50, title="龙井")
    tea_sku = tea["skus"][0]["id"]
    other_sku = await sku_of(client, host, 20_00)
    await buy(client, regular, await sku_of(client, host, 150_00))  # silver
    saved = await client.put(
        "/api/host/benefits",
        json={
            "benefits": [
                {
                    "tierCode": "silver",
                    "kind": "member_price",
                    "prices": [{"skuId": tea_sku, "price": 85_00}],
                },
                {
                    "tierCode": "normal",
                    "kind": "member_price",
                    "prices": [{"skuId": tea_sku, "price": 95_00}],
                },
            ]
        },
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text

    lines = [{"skuId": tea_sku, "quantity": 2}, {"skuId": other_sku, "quantity": 1}]
    quoted = await client.post(
        "/api/checkout/quote", json={"items": lines}, headers=regular.headers
    )
    assert quoted.status_code == 200, quoted.text
    order = await place(client, regular, [(tea_sku, 2), (other_sku, 1)])
    priced = (order["totalAmount"], order["discountAmount"], order["payAmount"])
    assert priced == (220_00, 30_00, 190_00)
    # The buy sheet's quote is the figure paid: the member price is in it.
    q = quoted.json()
    assert (q["totalAmount"], q["discountAmount"], q["payAmount"]) == priced

    # With a coupon the member price comes first: 10 off above 200 is not met by 190.
    room = await client.post("/api/rooms", json={"title": "会员日"}, headers=host.headers)
    coupon = await client.post(
        f"/api/rooms/{room.json()['id']}/coupons",
        json={
            "title": "满200减10",
            "kind": "amount_off",
            "amountOff": 10_00,
            "minSpend": 200_00,
            "quota": 10,
            "validMinutes": 60,
            "drop": True,
        },
        headers=host.headers,
    )
    assert coupon.status_code == 201, coupon.text
    copy = await client.post(f"/api/coupons/{coupon.json()['id']}/claim", headers=regular.headers)
    assert copy.status_code == 201, copy.text
    with_coupon = await client.post(
        "/api/checkout/quote",
        json={"items": lines, "userCouponId": copy.json()["id"]},
        headers=regular.headers,
    )
    assert with_coupon.json()["payAmount"] == 190_00
    assert [c["applicable"] for c in with_coupon.json()["coupons"]] == [False]
    refused = await client.post(
        "/api/orders",
        json={"items": lines, "address": ADDRESS, "userCouponId": copy.json()["id"]},
        headers={**regular.headers, "Idempotency-Key": "with-coupon"},
    )
    assert (refused.status_code, problem_code(refused)) == (409, "coupon_threshold_not_met")
    tea_item = next(i for i in order["items"] if i["skuId"] == tea_sku)
    assert (tea_item["discount"], tea_item["paidAmount"]) == (30_00, 170_00)
    # A buyer who never paid this host is its lowest tier's member: that tier's price.
    first = await place(client, newcomer, [(tea_sku, 1)])
    assert first["payAmount"] == 95_00


async def test_a_member_sees_their_standing_with_each_host(
    client: httpx.AsyncClient, user_factory
) -> None:
    tea_shop = await user_factory("teashop", ["host"])
    book_shop = await user_factory("bookshop", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, tea_shop, "all")
    await buy(client, buyer, await sku_of(client, tea_shop, 120_00))
    await buy(client, buyer, await sku_of(client, book_shop, 30_00))
    listed = await client.get("/api/me/memberships", headers=buyer.headers)
    assert listed.status_code == 200
    by_host = {m["hostId"]: m for m in listed.json()["items"]}
    assert set(by_host) == {tea_shop.id, book_shop.id}
    tea = by_host[tea_shop.id]
    assert (tea["tier"]["code"], tea["nextTier"]["code"], tea["toUpgrade"]) == (
        "silver",
        "gold",
        380_00,
    )
    assert (tea["window"], tea["toKeep"], tea["lifetimeSpend"]) == ("all", 0, 120_00)
    books = by_host[book_shop.id]
    assert (books["window"], books["tier"], books["lifetimeSpend"]) == ("none", None, 30_00)
    # Not yet a member of a host: the lowest tier, what the first tier takes.
    stranger = await user_factory("stranger")
    card = await standing(client, stranger, tea_shop)
    assert (card["member"], card["tier"]["code"], card["toUpgrade"]) == (False, "normal", 100_00)
