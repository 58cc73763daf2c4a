"""Commissions end to end: snapshot at placement, pending when paid, pro rata on refund, due at
completion, settled into wallets by the batch job; exact fen at every level."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import httpx
import msgspec
from asyncpg import Record

from livecommerce.domains.distribution import jobs as distribution_jobs
from livecommerce.domains.orders import jobs as order_jobs
from livecommerce.domains.orders import services as order_services
from livecommerce.domains.orders.schemas import Address, OrderLine, PlaceOrder
from livecommerce.domains.payments.providers import CallbackEvent, sandbox
from livecommerce.infra import db
from livecommerce.infra.db import Tx
from livecommerce.wiring import wire
from livecommerce.worker.settings import job_context
from tests.distribution.helpers import (
    chain,
    close_window,
    commissions_of,
    configure,
    deliver,
    ledger_checks,
    share,
    visit,
)
from tests.support import ADDRESS, pay_through_sandbox


async def _coupon_of_1000_fen(tx: Tx, order: Record, items: list[Record]) -> None:
    # Stands in for the promotions domain: a 10 yuan coupon on the order.
    await order_services.apply_discount(tx.conn, order["id"], 1000)


async def _product(client: httpx.AsyncClient, host, title: str, price: int) -> tuple[int, int]:
    product = (
        await client.post(
            "/api/products",
            json={"title": title, "skus": [{"name": "one", "price": price, "stock": 50}]},
            headers=host.headers,
        )
    ).json()
    return product["id"], product["skus"][0]["id"]


async def _wallet(user_id: int) -> int:
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT COALESCE(MAX(balance), 0) FROM accounts WHERE user_id = $1 AND kind = "
                "'wallet'",
                user_id,
            )
        )


async def test_a_three_level_chain_with_a_coupon_and_a_partial_refund_pays_each_level_to_the_fen(
    client: httpx.AsyncClient,
    user_factory,
    migrated,
) -> None:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, levels=3, levelRatesBp=[1000, 500, 300])
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    (a, _), (b, _), (c, _) = await chain(client, user_factory, ["dist_a", "dist_b", "dist_c"])
    tea, tea_sku = await _product(client, host, "Tea", 3333)
    pot, pot_sku = await _product(client, host, "Pot", 1999)
    override = await client.put(
        f"/api/products/{pot}/commission-rates",
        json={"ratesBp": [1500, 800, 200]},
        headers=host.headers,
    )
    assert override.json()["effectiveBp"] == [1500, 800, 200]
    link = await share(client, c, tea)
    await visit(client, link["code"], buyer)  # logged in: bound to C at the visit

    # Placed as the order controller does, with the coupon's reaction added to the wiring's.
    hooks = wire(migrated).orders
    hooks = dataclasses.replace(hooks, placed=(*hooks.placed, _coupon_of_1000_fen))
    lines = [OrderLine(sku_id=tea_sku, quantity=2), OrderLine(sku_id=pot_sku, quantity=1)]
    status, body, _ = await order_services.place_order(
        migrated, hooks, buyer.id, PlaceOrder(items=lines, address=Address(**ADDRESS)), "k1"
    )
    assert status == 201, body
    order = json.loads(body)
    tea_item, pot_item = order["items"]
    # 1000 fen off spread over 6666 + 1999: the tea pays 5897, the pot 1768
    assert (tea_item["paidAmount"], pot_item["paidAmount"]) == (5897, 1768)
    assert await commissions_of(order["id"]) == []  # nothing until paid

    # Changing the tree or the settings after placement does not touch this order's snapshot.
    await configure(client, admin, levelRatesBp=[100, 100, 100])
    await pay_through_sandbox(client, buyer, order["id"])
    assert await commissions_of(order["id"]) == [
        (c.id, 1, 589, 0, "pending"),
        (b.id, 2, 294, 0, "pending"),
        (a.id, 3, 176, 0, "pending"),  # tea 5897 x 10/5/3 %
        (c.id, 1, 265, 0, "pending"),
        (b.id, 2, 141, 0, "pending"),
        (a.id, 3, 35, 0, "pending"),  # pot 1768 x 15/8/2 %
    ]

    refund = (
        await client.post(
            f"/api/orders/{order['id']}/refund",
            json={"reason": "one cup cracked", "itemId": tea_item["id"], "amount": 1234},
            headers=buyer.headers,
        )
    ).json()
    await client.post(f"/api/refunds/{refund['refunds'][0]['id']}/approve", headers=host.headers)
    # the tea keeps 5897 - 1234 = 4663 paid: 466 / 233 / 139 are kept, the rest reversed
    assert await commissions_of(order["id"]) == [
        (c.id, 1, 589, 123, "pending"),
        (b.id, 2, 294, 61, "pending"),
        (a.id, 3, 176, 37, "pending"),
        (c.id, 1, 265, 0, "pending"),
        (b.id, 2, 141, 0, "pending"),
        (a.id, 3, 35, 0, "pending"),
    ]
    mine = (await client.get("/api/distributors/me/commissions", headers=c.headers)).json()["items"]
    assert [(m["level"], m["netAmount"], m["buyer"]) for m in mine] == [
        (1, 265, "B**"),
        (1, 466, "B**"),
    ]
    assert "1234 fen" in mine[1]["reversalReason"]

    await deliver(client, host, buyer, order["id"])
    await close_window(order["id"])
    ctx = job_context(migrated)
    assert await order_jobs.complete_order(ctx, order["id"]) is True
    assert {s for *_, s in await commissions_of(order["id"])} == {"due"}
    assert await distribution_jobs.settle_due_commissions(ctx) == 6
    assert await distribution_jobs.settle_due_commissions(ctx) == 0
    assert [await _wallet(u.id) for u in (c, b, a)] == [466 + 265, 233 + 141, 139 + 35]
    fee = 6431 * migrated.platform_fee_bp // 10_000
    host_wallet = (await client.get("/api/me/wallet", headers=host.headers)).json()
    assert host_wallet == {**host_wallet, "escrow": 0, "receivable": 6431 - fee - 1279}
    me = (await client.get("/api/distributors/me", headers=c.headers)).json()
    assert (
        me["settled"],
        me["pending"],
        me["available"],
        me["orders"],
        me["boundBuyers"],
        me["clicks"],
    ) == (731, 0, 731, 1, 1, 1)
    assert await ledger_checks() == (0, 0)


async def test_the_paid_callback_delivered_three_times_creates_one_set_of_commissions(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    (root, _), (leaf, _) = await chain(client, user_factory, ["root", "leaf"])
    product, sku = await _product(client, host, "Tea", 10_000)
    await visit(client, (await share(client, leaf, product))["code"], buyer)
    order = (
        await client.post(
            "/api/orders",
            json={"items": [{"skuId": sku, "quantity": 1}], "address": ADDRESS},
            headers={**buyer.headers, "Idempotency-Key": "k"},
        )
    ).json()
    payment_id = (
        await client.post(f"/api/orders/{order['id']}/pay", json={}, headers=buyer.headers)
    ).json()["paymentId"]
    body = msgspec.json.encode(
        CallbackEvent(
            payment_id=payment_id, provider_ref="sbx_1", amount=10_000, status="succeeded"
        )
    )
    headers = {"content-type": "application/json", "x-sandbox-signature": sandbox().sign(body)}
    responses = await asyncio.gather(
        *(client.post("/api/payments/callback", content=body, headers=headers) for _ in range(3))
    )
    assert sorted(r.json()["result"] for r in responses) == ["applied", "duplicate", "duplicate"]
    # default settings: 2 levels at 10% and 5%
    assert await commissions_of(order["id"]) == [
        (leaf.id, 1, 1000, 0, "pending"),
        (root.id, 2, 500, 0, "pending"),
    ]


async def test_a_full_refund_reverses_every_commission_and_the_host_keeps_the_rest(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    (root, _), (leaf, _) = await chain(client, user_factory, ["root", "leaf"])
    product, sku = await _product(client, host, "Tea", 999)
    await visit(client, (await share(client, leaf, product))["code"], buyer)
    order = (
        await client.post(
            "/api/orders",
            json={"items": [{"skuId": sku, "quantity": 3}], "address": ADDRESS},
            headers={**buyer.headers, "Idempotency-Key": "k"},
        )
    ).json()
    await pay_through_sandbox(client, buyer, order["id"])
    for amount in (1000, 997, None):  # three partial refunds, the last takes what is left
        body = {"reason": "no", **({"amount": amount} if amount else {})}
        refund = (
            await client.post(f"/api/orders/{order['id']}/refund", json=body, headers=buyer.headers)
        ).json()
        await client.post(
            f"/api/refunds/{refund['refunds'][-1]['id']}/approve", headers=host.headers
        )
    assert await commissions_of(order["id"]) == [
        (leaf.id, 1, 299, 299, "reversed"),
        (root.id, 2, 149, 149, "reversed"),
    ]
    assert await ledger_checks() == (0, 0)


async def test_a_distributor_lists_the_commissions_of_one_order(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    ((leaf, _),) = await chain(client, user_factory, ["leaf"])
    product, sku = await _product(client, host, "Tea", 10_000)
    await visit(client, (await share(client, leaf, product))["code"], buyer)
    orders = []
    for key in ("a", "b"):
        placed = await client.post(
            "/api/orders",
            json={"items": [{"skuId": sku, "quantity": 1}], "address": ADDRESS},
            headers={**buyer.headers, "Idempotency-Key": key},
        )
        orders.append(placed.json()["id"])
        await pay_through_sandbox(client, buyer, orders[-1])
    listed = {
        order_id: (
            await client.get(
                "/api/distributors/me/commissions",
                params={"orderId": order_id},
                headers=leaf.headers,
            )
        ).json()["items"]
        for order_id in orders
    }
    assert {order_id: [c["orderId"] for c in items] for order_id, items in listed.items()} == {
        order_id: [order_id] for order_id in orders
    }
    everything = await client.get("/api/distributors/me/commissions", headers=leaf.headers)
    assert len(everything.json()["items"]) == 2
