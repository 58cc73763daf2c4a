"""The buyer's after-sales request over real HTTP: what is asked back (items and units), how much
(at most what they can still give back), why (a reason from the list and words), with up to 3
photos of their own; the answer carries the refund, and its progress is the buyer's to read."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.support import ADDRESS, TestUser, pay_through_sandbox, problem_code


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 60)).save(out, format="PNG")
    return out.getvalue()


async def _photo(client: httpx.AsyncClient, user: TestUser) -> str:
    response = await client.post(
        "/api/uploads/images",
        files={"file": ("cracked.png", _png(), "image/png")},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["url"]


async def _paid_order(client: httpx.AsyncClient, host: TestUser, buyer: TestUser) -> dict:
    """3 cups at 10.00 and a pot at 30.00: 60.00 paid."""
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
                "items": [{"skuId": cup, "quantity": 3}, {"skuId": pot, "quantity": 1}],
                "address": ADDRESS,
            },
            headers={**buyer.headers, "Idempotency-Key": f"set-{buyer.id}"},
        )
    ).json()
    await pay_through_sandbox(client, buyer, order["id"])
    shipped = await client.post(
        f"/api/orders/{order['id']}/ship",
        json={"trackingNo": "SF123", "carrier": "SF"},
        headers=host.headers,
    )
    assert shipped.status_code == 200, shipped.text
    return shipped.json()


async def test_a_request_for_some_units_answers_the_refund_with_its_form_and_photos(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _paid_order(client, host, buyer)
    cups, pot = order["items"]
    photos = [await _photo(client, buyer) for _ in range(2)]

    asked = await client.post(
        f"/api/orders/{order['id']}/refund",
        json={
            "items": [{"itemId": cups["id"], "quantity": 2}],
            "reasonCode": "damaged",
            "reason": "two cups arrived cracked",
            "photos": photos,
        },
        headers=buyer.headers,
    )
    assert asked.status_code == 200, asked.text
    body = asked.json()
    refund = body["refund"]
    assert body["status"] == "refunding" and body["refunds"] == [refund]
    assert isinstance(refund["id"], int)
    assert {k: refund[k] for k in ("amount", "status", "reasonCode", "reason", "photos")} == {
        "amount": 2000,  # prefilled: 2 of 3 cups at their paid price
        "status": "requested",
        "reasonCode": "damaged",
        "reason": "two cups arrived cracked",
        "photos": photos,
    }
    assert refund["quantities"] == {str(cups["id"]): 2}
    assert refund["allocation"] == {str(cups["id"]): 2000}
    assert refund["photoThumbs"] == [p.removesuffix(".webp") + ".thumb.webp" for p in photos]
    assert pot["refundedAmount"] == 0


async def test_the_amount_is_at_most_what_the_chosen_units_can_give_back(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _paid_order(client, host, buyer)
    cups, pot = order["items"]
    path = f"/api/orders/{order['id']}/refund"

    too_much = await client.post(
        path,
        json={
            "items": [{"itemId": cups["id"], "quantity": 1}],
            "amount": 1001,
            "reasonCode": "quality",
        },
        headers=buyer.headers,
    )
    assert (too_much.status_code, problem_code(too_much)) == (409, "refund_too_large")
    assert too_much.json()["refundable"] == 1000
    more_units = await client.post(
        path,
        json={"items": [{"itemId": cups["id"], "quantity": 4}], "reasonCode": "quality"},
        headers=buyer.headers,
    )
    assert (more_units.status_code, problem_code(more_units)) == (400, "validation_error")
    no_reason = await client.post(path, json={"reason": "  "}, headers=buyer.headers)
    assert (no_reason.status_code, problem_code(no_reason)) == (400, "validation_error")
    not_mine = await client.post(
        path,
        json={"items": [{"itemId": 2_000_000_000, "quantity": 1}], "reasonCode": "other"},
        headers=buyer.headers,
    )
    assert (not_mine.status_code, problem_code(not_mine)) == (404, "not_found")

    # Both items, some of each: spread so no item gives more than its units' share.
    both = await client.post(
        path,
        json={
            "items": [
                {"itemId": cups["id"], "quantity": 1},
                {"itemId": pot["id"], "quantity": 1},
            ],
            "amount": 2000,
            "reasonCode": "not_as_described",
        },
        headers=buyer.headers,
    )
    assert both.status_code == 200, both.text
    allocation = both.json()["refund"]["allocation"]
    assert sum(allocation.values()) == 2000
    assert allocation[str(cups["id"])] <= 1000 and allocation[str(pot["id"])] <= 3000


async def test_photos_must_be_the_buyers_own_uploads_and_at_most_three(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    stranger = await user_factory("stranger")
    order = await _paid_order(client, host, buyer)
    path = f"/api/orders/{order['id']}/refund"
    theirs = await _photo(client, stranger)
    mine = [await _photo(client, buyer) for _ in range(4)]

    someone_elses = await client.post(
        path, json={"reasonCode": "quality", "photos": [theirs]}, headers=buyer.headers
    )
    assert (someone_elses.status_code, problem_code(someone_elses)) == (404, "not_found")
    elsewhere = await client.post(
        path,
        json={"reasonCode": "quality", "photos": ["https://evil.example/a.png"]},
        headers=buyer.headers,
    )
    assert (elsewhere.status_code, problem_code(elsewhere)) == (400, "validation_error")
    four = await client.post(
        path, json={"reasonCode": "quality", "photos": mine}, headers=buyer.headers
    )
    assert (four.status_code, problem_code(four)) == (400, "validation_error")
    detail = await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)
    assert detail.json()["status"] == "shipped" and detail.json()["refunds"] == []


async def test_the_buyer_reads_the_refunds_progress_and_the_hosts_reason(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    order = await _paid_order(client, host, buyer)
    path = f"/api/orders/{order['id']}/refund"

    first = (await client.post(path, json={"reasonCode": "quality"}, headers=buyer.headers)).json()
    assert first["refund"]["amount"] == 6000  # all of it, prefilled
    rejected = await client.post(
        f"/api/refunds/{first['refund']['id']}/reject",
        json={"reason": "the photos show no damage"},
        headers=host.headers,
    )
    assert rejected.status_code == 200, rejected.text
    second = (
        await client.post(
            path, json={"reasonCode": "quality", "amount": 3000}, headers=buyer.headers
        )
    ).json()
    approved = await client.post(
        f"/api/refunds/{second['refund']['id']}/approve",
        json={"amount": 1500, "reason": "half, as agreed in chat"},
        headers=host.headers,
    )
    assert approved.status_code == 200, approved.text
    mine = (await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)).json()
    progress = [
        (r["status"], r["requestedAmount"], r["amount"], r["decisionReason"], bool(r["decidedAt"]))
        for r in mine["refunds"]
    ]
    assert progress == [
        ("rejected", 6000, 6000, "the photos show no damage", True),
        ("approved", 3000, 1500, "half, as agreed in chat", True),
    ]
    assert (mine["status"], mine["refundedAmount"]) == ("shipped", 1500)
