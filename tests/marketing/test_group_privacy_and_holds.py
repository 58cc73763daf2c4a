"""A group's orders wait (no shipping, no after-sales) until it succeeds; the group page shows
names and seats, never anyone's ids or orders; the host's terms are checked; commission follows
the product's group setting."""

from __future__ import annotations

import json

from tests.distribution.helpers import chain, commissions_of, share, visit
from tests.marketing.group_support import group_product, join_group, open_group, opened, pay_wallet
from tests.promotions.support import fund
from tests.support import create_product, problem_code


async def test_a_forming_groups_orders_neither_ship_nor_refund_until_it_succeeds(
    client, user_factory
):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    leader, member = await user_factory("leader"), await user_factory("member")
    for user in (leader, member):
        await fund(user, 10_000)
    _, leader_order = await opened(client, leader, product["skuId"])
    order = (await client.get(f"/api/orders/{leader_order}", headers=host.headers)).json()
    assert order["status"] == "paid" and order["heldBy"] == "group_buy"
    assert order["payAmount"] == 600  # the group price, not the SKU's 1000
    ship = {"trackingNo": "SF1", "carrier": "SF"}
    held = await client.post(f"/api/orders/{leader_order}/ship", json=ship, headers=host.headers)
    assert held.status_code == 409 and problem_code(held) == "order_held_by_group"
    refund = await client.post(
        f"/api/orders/{leader_order}/refund",
        json={"reasonCode": "no_longer_needed"},
        headers=leader.headers,
    )
    assert problem_code(refund) == "order_held_by_group"
    group_id = (await client.get("/api/me/group-buys", headers=leader.headers)).json()[0]
    joined = await join_group(client, member, group_id["group"]["id"], product["skuId"])
    assert (await pay_wallet(client, member, joined.json()["order"]["id"])).status_code == 200
    shipped = await client.post(f"/api/orders/{leader_order}/ship", json=ship, headers=host.headers)
    assert shipped.status_code == 200, shipped.text


async def test_the_group_page_shows_names_and_seats_never_ids_or_orders(client, user_factory):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=3)
    leader, stranger = await user_factory("leader"), await user_factory("stranger")
    await fund(leader, 10_000)
    group_id, leader_order = await opened(client, leader, product["skuId"])
    for viewer in ({}, stranger.headers):
        seen = await client.get(f"/api/group-buys/{group_id}", headers=viewer)
        assert seen.status_code == 200
        body = seen.json()
        assert body["me"] is None
        assert body["members"] == [{"seat": 1, "name": "Leader", "initial": "L", "leader": True}]
        text = json.dumps(body)
        assert "orderId" not in text and "userId" not in text and "address" not in text
    mine = (await client.get(f"/api/group-buys/{group_id}", headers=leader.headers)).json()
    assert mine["me"] == {"orderId": leader_order, "status": "seated", "rehomedFrom": None}
    # The leader's order and groups are theirs alone.
    peek = await client.get(f"/api/orders/{leader_order}", headers=stranger.headers)
    assert peek.status_code == 404
    assert (await client.get("/api/me/group-buys", headers=stranger.headers)).json() == []
    assert (await client.get("/api/me/group-buys")).status_code == 401


async def test_the_host_sets_terms_within_bounds_on_its_own_products_only(client, user_factory):
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    product = await create_product(client, host, price=1000)
    sku_id = product["skus"][0]["id"]
    url = f"/api/products/{product['id']}/group-buy"

    def terms(**changes):
        return {"groupSize": 2, "hours": 24, "prices": [{"skuId": sku_id, "price": 800}], **changes}

    for bad in (terms(groupSize=1), terms(groupSize=51), terms(hours=0), terms(hours=73)):
        response = await client.put(url, json=bad, headers=host.headers)
        assert response.status_code == 400 and problem_code(response) == "validation_error"
    dear = await client.put(
        url, json=terms(prices=[{"skuId": sku_id, "price": 1000}]), headers=host.headers
    )
    assert dear.status_code == 422 and problem_code(dear) == "group_buy_invalid"
    foreign = await client.put(
        url, json=terms(prices=[{"skuId": sku_id + 999, "price": 10}]), headers=host.headers
    )
    assert problem_code(foreign) == "group_buy_invalid"
    assert (await client.put(url, json=terms(), headers=other.headers)).status_code == 404
    buyer = await user_factory("buyer")
    assert (await client.put(url, json=terms(), headers=buyer.headers)).status_code == 403
    saved = await client.put(url, json=terms(), headers=host.headers)
    assert saved.status_code == 200
    assert saved.json()["prices"] == [{"skuId": sku_id, "price": 800, "listPrice": 1000}]
    # Switched off: buyers neither see it nor open groups; the host still sees it.
    off = await client.put(url, json=terms(enabled=False), headers=host.headers)
    assert off.status_code == 200
    assert (await client.get(url, headers=buyer.headers)).status_code == 404
    assert (await client.get(url, headers=host.headers)).status_code == 200


async def test_group_orders_pay_commission_only_if_the_product_says_so(client, user_factory):
    host = await user_factory("host", ["host"])
    paying = await group_product(client, host, size=3, pays_commission=True)
    unpaid = await group_product(client, host, size=3, pays_commission=False)
    ((distributor, _),) = await chain(client, user_factory, ["dist"])
    buyer = await user_factory("buyer")
    await fund(buyer, 10_000)
    await visit(client, (await share(client, distributor, paying["id"]))["code"], buyer)
    _, with_commission = await opened(client, buyer, paying["skuId"])
    _, without = await opened(client, buyer, unpaid["skuId"])
    earned = await commissions_of(with_commission)
    assert earned and all(amount > 0 for _, _, amount, _, _ in earned)
    assert [row for row in earned if row[0] == distributor.id]
    assert await commissions_of(without) == []


async def test_malformed_group_requests_are_4xx_never_5xx(client, user_factory):
    buyer = await user_factory("buyer")
    headers = {**buyer.headers, "Idempotency-Key": "k1"}
    for path in ("/api/group-buys/99999999999", "/api/group-buys/0"):
        assert 400 <= (await client.get(path)).status_code < 500
    bodies = [
        {"skuId": 99999999999},
        {"skuId": 1, "quantity": 0},
        {"skuId": "x"},
        {"skuId": 1, "extra": True},
        {},
    ]
    for body in bodies:
        opened = await client.post("/api/group-buys", json=body, headers=headers)
        assert 400 <= opened.status_code < 500, (body, opened.text)
        joined = await client.post("/api/group-buys/1/join", json=body, headers=headers)
        assert 400 <= joined.status_code < 500, (body, joined.text)
    no_key = await client.post("/api/group-buys", json={"skuId": 1}, headers=buyer.headers)
    assert problem_code(no_key) == "idempotency_key_required"
    huge = await client.put(
        "/api/products/99999999999/group-buy",
        json={"groupSize": 2, "hours": 1, "prices": [{"skuId": 1, "price": 1}]},
        headers=buyer.headers,
    )
    assert 400 <= huge.status_code < 500


async def test_a_member_price_never_stacks_with_the_group_price_the_lower_wins(
    client, user_factory
):
    from tests.members.tiers_support import set_ladder

    host = await user_factory("host", ["host"])
    await set_ladder(client, host, "month")
    cheap = await group_product(client, host, price=1000, group_price=600, size=2)
    dear = await group_product(client, host, price=1000, group_price=900, size=2)
    saved = await client.put(
        "/api/host/benefits",
        json={
            "benefits": [
                {
                    "tierCode": "normal",
                    "kind": "member_price",
                    "prices": [
                        {"skuId": cheap["skuId"], "price": 800},
                        {"skuId": dear["skuId"], "price": 800},
                    ],
                }
            ]
        },
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text
    buyer = await user_factory("buyer")
    group_under_member = (await open_group(client, buyer, cheap["skuId"])).json()["order"]
    assert group_under_member["payAmount"] == 600  # not 600 - (1000 - 800)
    member_under_group = (await open_group(client, buyer, dear["skuId"])).json()["order"]
    assert member_under_group["payAmount"] == 800
