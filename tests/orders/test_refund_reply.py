"""A client that asks for a refund learns the refund's id from the reply itself: `refund` is
always there (the schema says so), it is the one just opened, not an older one of the order."""

from __future__ import annotations

import httpx

from tests.orders.test_buyer_after_sales import _paid_order


async def test_each_refund_request_answers_the_refund_it_opened_with_its_id(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, buyer = await user_factory("host", ["host"]), await user_factory("buyer")
    order = await _paid_order(client, host, buyer)
    path = f"/api/orders/{order['id']}/refund"

    first = await client.post(path, json={"reasonCode": "quality"}, headers=buyer.headers)
    assert first.status_code == 200, first.text
    first_id = first.json()["refund"]["id"]
    assert [r["id"] for r in first.json()["refunds"]] == [first_id]
    rejected = await client.post(f"/api/refunds/{first_id}/reject", headers=host.headers)
    assert rejected.status_code == 200, rejected.text

    second = await client.post(
        path, json={"reasonCode": "damaged", "amount": 1000}, headers=buyer.headers
    )
    assert second.status_code == 200, second.text
    refund = second.json()["refund"]
    assert refund["id"] != first_id
    assert (refund["status"], refund["amount"], refund["reasonCode"]) == (
        "requested",
        1000,
        "damaged",
    )
    assert [r["id"] for r in second.json()["refunds"]] == [first_id, refund["id"]]
    # The id is the one the host answers with.
    approved = await client.post(f"/api/refunds/{refund['id']}/approve", headers=host.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["refundedAmount"] == 1000


async def test_the_schema_says_a_refund_request_always_answers_its_refund(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    answer = schema["paths"]["/api/orders/{order_id}/refund"]["post"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    reply = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "refund" in reply["required"] and "refunds" in reply["required"]
    assert reply["properties"]["refund"] == {"$ref": "#/components/schemas/RefundOut"}
