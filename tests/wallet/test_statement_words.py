"""A wallet statement reads as words: each entry carries a category a page translates ("红包",
"订单 #12 付款", "充值"), the order it concerns and an English label, not `payment:2`."""

from __future__ import annotations

import httpx

from livecommerce.domains.wallet.labels import CATEGORIES, describe, label
from tests.promotions.support import create_room, fund
from tests.support import complete_on_sandbox, create_product, place_order


async def _statement(client: httpx.AsyncClient, user) -> list[dict]:
    response = await client.get("/api/me/wallet/entries?limit=50", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _words(entries: list[dict]) -> list[tuple[str, int | None, str, int]]:
    return [(e["category"], e["orderId"], e["label"], e["amount"]) for e in reversed(entries)]


async def test_a_buyers_statement_says_top_up_red_packet_order_payment_and_refund(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    topup = await client.post("/api/me/wallet/topup", json={"amount": 5000}, headers=buyer.headers)
    assert topup.status_code == 201, topup.text
    assert (await complete_on_sandbox(client, buyer, topup.json()["payUrl"])).status_code == 200

    await fund(host, 10_000)
    room_id = await create_room(host)
    packet = await client.post(
        f"/api/rooms/{room_id}/red-packets",
        json={"totalAmount": 255, "count": 1},
        headers=host.headers,
    )
    assert packet.status_code == 201, packet.text
    grabbed = await client.post(
        f"/api/red-packets/{packet.json()['id']}/grab", headers=buyer.headers
    )
    assert grabbed.json()["outcome"] == "won", grabbed.text

    sku_id = (await create_product(client, host, price=1200))["skus"][0]["id"]
    order = (await place_order(client, buyer, sku_id)).json()
    paid = await client.post(
        f"/api/orders/{order['id']}/pay", json={"method": "wallet"}, headers=buyer.headers
    )
    assert paid.status_code == 200, paid.text
    asked = await client.post(
        f"/api/orders/{order['id']}/refund",
        json={"reasonCode": "no_longer_needed"},
        headers=buyer.headers,
    )
    refund_id = asked.json()["refund"]["id"]
    approved = await client.post(f"/api/refunds/{refund_id}/approve", headers=host.headers)
    assert approved.status_code == 200, approved.text

    assert _words(await _statement(client, buyer)) == [
        ("topup", None, "Top-up", 5000),
        ("red_packet", None, "Red packet", 255),
        ("order_payment", order["id"], f"Order #{order['id']} payment", -1200),
        ("order_refund", order["id"], f"Order #{order['id']} refund", 1200),
    ]
    # The host's side: the red packet it sent, and the order's money in and out of its escrow.
    host_words = [(c, o) for c, o, _, _ in _words(await _statement(client, host))]
    assert host_words == [
        ("topup", None),  # the test's funding
        ("red_packet_sent", None),
        ("order_income", order["id"]),
        ("order_refund", order["id"]),
    ]


def test_every_category_has_words_and_unknown_kinds_are_other() -> None:
    assert all(label(c, 7) for c in CATEGORIES)
    assert label("order_payment", 12) == "Order #12 payment"
    assert label("order_payment", None) == "Order payment"
    assert describe("settlement", "order:12:settle", "receivable").order_id == 12
    assert describe("refund", "refund:payment:5:return", "wallet").payment_id == 5
    assert describe("payout_something_new", "payout:1", "wallet").category == "other"
