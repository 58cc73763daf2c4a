from __future__ import annotations

import asyncio
import time

import httpx
import msgspec

from bench.ledger_checks import entries_by_kind
from livecommerce.domains.payments.providers import CallbackEvent, sandbox
from livecommerce.infra import db
from tests.support import (
    complete_on_sandbox,
    create_product,
    pay_through_sandbox,
    place_order,
    problem_code,
)


async def _paid_order(client: httpx.AsyncClient, user_factory, price: int = 2500):
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, price=price))["skus"][0]["id"]
    order = (await place_order(client, buyer, sku_id)).json()
    return host, buyer, order


async def _start_payment(client: httpx.AsyncClient, buyer, order: dict) -> dict:
    """A gateway payment of the order started (the callback not delivered yet)."""
    response = await client.post(f"/api/orders/{order['id']}/pay", json={}, headers=buyer.headers)
    return response.json()


async def _balances() -> dict[str, int]:
    async with db.connection() as conn:
        return await entries_by_kind(conn)  # the kinds of account holding money


def _callback(payment_id: int, amount: int, ref: str = "sbx_x") -> tuple[bytes, dict[str, str]]:
    body = msgspec.json.encode(
        CallbackEvent(payment_id=payment_id, provider_ref=ref, amount=amount, status="succeeded")
    )
    return body, {"content-type": "application/json", "x-sandbox-signature": sandbox().sign(body)}


async def test_paying_through_the_gateway_moves_the_money_into_escrow_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, order = await _paid_order(client, user_factory)
    paid = await pay_through_sandbox(client, buyer, order["id"])
    assert paid["gateway"]["result"] == "applied"
    after = (await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)).json()
    assert after["status"] == "paid" and after["paymentMethod"] == "sandbox"
    assert await _balances() == {"gateway": -2500, "escrow": 2500}


async def test_a_callback_replayed_twenty_times_concurrently_pays_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, order = await _paid_order(client, user_factory)
    payment_id = (await _start_payment(client, buyer, order))["paymentId"]
    body, headers = _callback(payment_id, 2500)
    responses = await asyncio.gather(
        *(client.post("/api/payments/callback", content=body, headers=headers) for _ in range(20))
    )
    results = sorted(r.json()["result"] for r in responses)
    assert results == ["applied"] + ["duplicate"] * 19
    assert await _balances() == {"gateway": -2500, "escrow": 2500}
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM ledger_transactions") == 1


async def test_a_forged_signature_or_an_altered_amount_is_rejected_and_logged(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, order = await _paid_order(client, user_factory)
    payment_id = (await _start_payment(client, buyer, order))["paymentId"]
    body, headers = _callback(payment_id, 2500)
    forged = await client.post(
        "/api/payments/callback",
        content=body,
        headers={**headers, "x-sandbox-signature": "t=1,v1=deadbeef"},
    )
    tampered = await client.post(
        "/api/payments/callback", content=body.replace(b"2500", b"2"), headers=headers
    )
    cheap_body, cheap_headers = _callback(payment_id, 1)  # correctly signed, wrong amount
    cheap = await client.post("/api/payments/callback", content=cheap_body, headers=cheap_headers)
    stale_body = body
    stale = await client.post(
        "/api/payments/callback",
        content=stale_body,
        headers={
            **headers,
            "x-sandbox-signature": sandbox().sign(stale_body, int(time.time()) - 3600),
        },
    )
    assert [(r.status_code, problem_code(r)) for r in (forged, tampered, cheap, stale)] == [
        (400, "bad_signature"),
        (400, "bad_signature"),
        (400, "amount_mismatch"),
        (400, "bad_signature"),
    ]
    assert (await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)).json()[
        "status"
    ] == "pending_payment"
    assert await _balances() == {}
    async with db.connection() as conn:
        outcomes = [
            row["outcome"]
            for row in await conn.fetch("SELECT outcome FROM payment_events ORDER BY id")
        ]
    assert outcomes == ["bad_signature", "bad_signature", "amount_mismatch", "bad_signature"]


async def test_money_arriving_after_the_order_was_cancelled_goes_straight_back(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, order = await _paid_order(client, user_factory)
    started = await _start_payment(client, buyer, order)
    assert (await client.post(f"/api/orders/{order['id']}/cancel", headers=buyer.headers)).json()[
        "status"
    ] == "cancelled"
    done = await complete_on_sandbox(client, buyer, started["payUrl"])
    assert done.json()["result"] == "applied"
    assert (await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)).json()[
        "status"
    ] == "cancelled"
    assert await _balances() == {}
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT refunded FROM sandbox_charges") == 2500


async def test_wallet_top_up_then_pay_from_the_wallet(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, buyer, order = await _paid_order(client, user_factory)
    short = await client.post(
        f"/api/orders/{order['id']}/pay", json={"method": "wallet"}, headers=buyer.headers
    )
    assert (short.status_code, problem_code(short)) == (409, "insufficient_balance")
    top_up = (
        await client.post("/api/me/wallet/topup", json={"amount": 3000}, headers=buyer.headers)
    ).json()
    assert (await complete_on_sandbox(client, buyer, top_up["payUrl"])).json()[
        "result"
    ] == "applied"
    assert (await client.get("/api/me/wallet", headers=buyer.headers)).json()["available"] == 3000
    paid = await client.post(
        f"/api/orders/{order['id']}/pay", json={"method": "wallet"}, headers=buyer.headers
    )
    assert (
        paid.status_code == 200
        and paid.json()["order"]["status"] == "paid"
        and paid.json()["payUrl"] == ""
    )
    wallet = (await client.get("/api/me/wallet", headers=buyer.headers)).json()
    assert wallet["available"] == 500
    entries = (await client.get("/api/me/wallet/entries", headers=buyer.headers)).json()["items"]
    assert [(e["amount"], e["balanceAfter"], e["kind"]) for e in entries] == [
        (-2500, 500, "payment"),
        (3000, 3000, "topup"),
    ]
    again = await client.post(
        f"/api/orders/{order['id']}/pay", json={"method": "wallet"}, headers=buyer.headers
    )
    assert (again.status_code, problem_code(again)) == (409, "illegal_transition")


async def test_an_unknown_payment_is_404_and_the_sandbox_page_renders(
    client: httpx.AsyncClient, user_factory
) -> None:
    body, headers = _callback(424242, 100)
    missing = await client.post("/api/payments/callback", content=body, headers=headers)
    assert (missing.status_code, problem_code(missing)) == (404, "payment_not_found")
    _, buyer, order = await _paid_order(client, user_factory)
    started = await _start_payment(client, buyer, order)
    page = await client.get(started["payUrl"], headers=buyer.headers)
    assert page.status_code == 200 and "¥25.00" in page.text
