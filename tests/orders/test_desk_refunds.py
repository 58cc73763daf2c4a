"""The host answers after-sales requests: a rejection with a reason the buyer sees, and a partial
refund (less than asked, with a reason) that leaves the rest refundable."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.orders.refunds import granted
from livecommerce.infra import db
from tests.support import ADDRESS, ledger_state, pay_through_sandbox, problem_code


async def _paid_order_of_two_items(client: httpx.AsyncClient, host, buyer) -> dict:
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
    placed = await client.post(
        "/api/orders",
        json={
            "items": [{"skuId": cup, "quantity": 1}, {"skuId": pot, "quantity": 1}],
            "address": ADDRESS,
        },
        headers={**buyer.headers, "Idempotency-Key": f"two-{buyer.id}"},
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    await pay_through_sandbox(client, buyer, order["id"])
    shipped = await client.post(
        f"/api/orders/{order['id']}/ship",
        json={"trackingNo": "SF1", "carrier": "SF"},
        headers=host.headers,
    )
    assert shipped.status_code == 200, shipped.text
    return order


async def test_a_rejection_with_a_reason_is_shown_to_the_buyer(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _paid_order_of_two_items(client, host, buyer)
    asked = (
        await client.post(
            f"/api/orders/{order['id']}/refund", json={"reason": "不想要了"}, headers=buyer.headers
        )
    ).json()
    refund_id = asked["refunds"][0]["id"]
    in_desk = (
        await client.get(
            "/api/host/desk/orders", params={"tab": "after_sales"}, headers=host.headers
        )
    ).json()
    assert [item["order"]["id"] for item in in_desk["items"]] == [order["id"]]
    rejected = await client.post(
        f"/api/refunds/{refund_id}/reject",
        json={"reason": "商品已发出，请收货后再申请退货退款"},
        headers=host.headers,
    )
    assert rejected.status_code == 200, rejected.text
    seen = (await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)).json()
    assert seen["status"] == "shipped"
    assert (seen["refunds"][0]["status"], seen["refunds"][0]["decisionReason"]) == (
        "rejected",
        "商品已发出，请收货后再申请退货退款",
    )
    mine = (await client.get("/api/me/orders", headers=buyer.headers)).json()["items"][0]
    assert mine["refunds"][0]["decisionReason"].startswith("商品已发出")


async def test_a_host_may_refund_less_than_asked_with_a_reason_and_the_rest_stays_refundable(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _paid_order_of_two_items(client, host, buyer)
    cup, pot = order["items"]
    asked = (
        await client.post(
            f"/api/orders/{order['id']}/refund",
            json={"reason": "壶有划痕", "amount": 2000},
            headers=buyer.headers,
        )
    ).json()
    refund = asked["refunds"][0]
    assert refund["allocation"] == {str(cup["id"]): 500, str(pot["id"]): 1500}

    no_reason = await client.post(
        f"/api/refunds/{refund['id']}/approve", json={"amount": 800}, headers=host.headers
    )
    assert (no_reason.status_code, problem_code(no_reason)) == (400, "validation_error")
    too_much = await client.post(
        f"/api/refunds/{refund['id']}/approve",
        json={"amount": 2001, "reason": "x"},
        headers=host.headers,
    )
    assert (too_much.status_code, problem_code(too_much)) == (409, "refund_too_large")
    done = await client.post(
        f"/api/refunds/{refund['id']}/approve",
        json={"amount": 800, "reason": "划痕轻微，协商退 8 元"},
        headers=host.headers,
    )
    assert done.status_code == 200, done.text
    out = done.json()
    assert (out["status"], out["refundedAmount"]) == ("shipped", 800)
    decided = out["refunds"][0]
    assert (decided["status"], decided["amount"], decided["requestedAmount"]) == (
        "approved",
        800,
        2000,
    )
    assert decided["decisionReason"] == "划痕轻微，协商退 8 元"
    assert decided["allocation"] == {str(cup["id"]): 200, str(pot["id"]): 600}
    assert [i["refundedAmount"] for i in out["items"]] == [200, 600]

    # What was not refunded may still be asked for.
    rest = await client.post(
        f"/api/orders/{order['id']}/refund", json={"reason": "全部退"}, headers=buyer.headers
    )
    assert rest.status_code == 200 and rest.json()["refunds"][-1]["amount"] == 3200
    full = await client.post(
        f"/api/refunds/{rest.json()['refunds'][-1]['id']}/approve", headers=host.headers
    )
    assert (full.json()["status"], full.json()["refundedAmount"]) == ("refunded", 4000)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT refunded FROM sandbox_charges") == 4000
    state = await ledger_state()
    assert state.balanced, state.problems


@given(
    asked=st.dictionaries(st.integers(1, 10_000), st.integers(1, 10**7), min_size=1, max_size=8),
    data=st.data(),
)
def test_what_is_granted_sums_to_the_approved_amount_and_never_passes_the_ask(
    asked: dict[int, int], data: st.DataObject
) -> None:
    amount = data.draw(st.integers(1, sum(asked.values())))
    shares = granted(asked, amount)
    assert sum(shares.values()) == amount
    assert all(0 < share <= asked[item] for item, share in shares.items())
    assert granted(asked, sum(asked.values())) == asked
