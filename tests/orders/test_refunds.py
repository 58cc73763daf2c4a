from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.support import ADDRESS, pay_through_sandbox, problem_code


async def _order_of_two_items(client: httpx.AsyncClient, host, buyer) -> dict:
    product = (
        await client.post(
            "/api/products",
            json={
                "title": "Tea set",
                "skus": [
                    {"name": "cup", "price": 1000, "stock": 10},
                    {"name": "pot", "price": 3000, "stock": 10},
                ],
            },
            headers=host.headers,
        )
    ).json()
    cup, pot = (sku["id"] for sku in product["skus"])
    order = (
        await client.post(
            "/api/orders",
            json={
                "items": [{"skuId": cup, "quantity": 2}, {"skuId": pot, "quantity": 1}],
                "address": ADDRESS,
            },
            headers={**buyer.headers, "Idempotency-Key": "two-items"},
        )
    ).json()
    await pay_through_sandbox(client, buyer, order["id"])
    return order


async def test_a_partial_item_refund_then_the_rest_goes_back_to_the_gateway(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _order_of_two_items(client, host, buyer)
    cup_item, pot_item = order["items"]
    await client.post(
        f"/api/orders/{order['id']}/ship", json={"trackingNo": "SF1"}, headers=host.headers
    )

    asked = await client.post(
        f"/api/orders/{order['id']}/refund",
        json={"reason": "cracked cup", "itemId": cup_item["id"], "amount": 1000},
        headers=buyer.headers,
    )
    assert asked.json()["status"] == "refunding"
    refund_id = asked.json()["refunds"][0]["id"]
    twice = await client.post(
        f"/api/orders/{order['id']}/refund", json={"reason": "again"}, headers=buyer.headers
    )
    assert (twice.status_code, problem_code(twice)) == (409, "illegal_transition")
    buyer_approves = await client.post(f"/api/refunds/{refund_id}/approve", headers=buyer.headers)
    assert (buyer_approves.status_code, problem_code(buyer_approves)) == (403, "forbidden")

    approved = (await client.post(f"/api/refunds/{refund_id}/approve", headers=host.headers)).json()
    assert (approved["status"], approved["refundedAmount"]) == ("shipped", 1000)
    assert [i["refundedAmount"] for i in approved["items"]] == [1000, 0]
    again = await client.post(f"/api/refunds/{refund_id}/approve", headers=host.headers)
    assert again.status_code == 409

    too_much = await client.post(
        f"/api/orders/{order['id']}/refund",
        json={"reason": "all", "amount": 4001},
        headers=buyer.headers,
    )
    assert (too_much.status_code, problem_code(too_much)) == (409, "refund_too_large")
    rest = (
        await client.post(
            f"/api/orders/{order['id']}/refund", json={"reason": "all of it"}, headers=buyer.headers
        )
    ).json()
    assert rest["refunds"][-1]["amount"] == 4000
    # what is left is spread over the items in proportion: cup 1000 left, pot 3000 left
    assert rest["refunds"][-1]["allocation"] == {
        str(cup_item["id"]): 1000,
        str(pot_item["id"]): 3000,
    }
    done = (
        await client.post(f"/api/refunds/{rest['refunds'][-1]['id']}/approve", headers=host.headers)
    ).json()
    assert (done["status"], done["refundedAmount"]) == ("refunded", 5000)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT refunded FROM sandbox_charges") == 5000
        escrow = await conn.fetchval(
            "SELECT SUM(balance) FROM accounts WHERE user_id = $1"  # every escrow bucket
            " AND (kind = 'escrow' OR kind LIKE 'escrow.%')",
            host.id,
        )
        assert escrow == 0
        # shipped goods are not put back on the shelf
        assert [r["stock"] for r in await conn.fetch("SELECT stock FROM skus ORDER BY id")] == [
            8,
            9,
        ]


async def test_a_full_refund_before_shipping_restocks_and_a_rejection_restores_the_state(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _order_of_two_items(client, host, buyer)
    asked = (
        await client.post(
            f"/api/orders/{order['id']}/refund", json={"reason": "no"}, headers=buyer.headers
        )
    ).json()
    rejected = (
        await client.post(f"/api/refunds/{asked['refunds'][0]['id']}/reject", headers=host.headers)
    ).json()
    assert rejected["status"] == "paid" and rejected["refundedAmount"] == 0
    asked = (
        await client.post(
            f"/api/orders/{order['id']}/refund", json={"reason": "please"}, headers=buyer.headers
        )
    ).json()
    done = (
        await client.post(
            f"/api/refunds/{asked['refunds'][-1]['id']}/approve", headers=host.headers
        )
    ).json()
    assert done["status"] == "refunded"
    async with db.connection() as conn:
        assert [
            (r["stock"], r["sold"])
            for r in await conn.fetch("SELECT stock, sold FROM skus ORDER BY id")
        ] == [(10, 0), (10, 0)]
