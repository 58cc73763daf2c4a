"""Each lifecycle job run twice (and its sweeper after it) gives the same result as once."""

from __future__ import annotations

import httpx

from bench.ledger_checks import entries_of_kind
from livecommerce.domains.orders import jobs
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.support import create_product, pay_through_sandbox, place_order


async def _age(order_id: int, **shift: str) -> None:
    async with db.connection() as conn:
        for column, interval in shift.items():
            await conn.execute(
                f"UPDATE orders SET {column} = {column} - interval '{interval}' WHERE id = $1",
                order_id,
            )


async def test_an_unpaid_order_is_cancelled_at_its_deadline_once_and_its_stock_released(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    ctx = job_context(migrated)
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=5))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku_id, 2)).json()["id"]
    assert await jobs.cancel_unpaid_order(ctx, order_id) is False  # not due yet
    await _age(order_id, payment_deadline="16 minutes")
    assert await jobs.cancel_unpaid_order(ctx, order_id) is True
    assert await jobs.cancel_unpaid_order(ctx, order_id) is False
    assert await jobs.sweep_unpaid_orders(ctx) == 0
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT stock FROM skus WHERE id = $1", sku_id) == 5
        assert (
            await conn.fetchval(
                "SELECT status || ':' || cancel_reason FROM orders WHERE id = $1", order_id
            )
            == "cancelled:payment_timeout"
        )


async def test_the_sweeper_finds_what_the_deferred_job_missed(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    ctx = job_context(migrated)
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=5))["skus"][0]["id"]
    ids = [(await place_order(client, buyer, sku_id)).json()["id"] for _ in range(3)]
    for order_id in ids[:2]:
        await _age(order_id, payment_deadline="1 hour")
    assert await jobs.sweep_unpaid_orders(ctx) == 2
    assert await jobs.sweep_unpaid_orders(ctx) == 0


async def test_receipt_is_confirmed_after_n_days_and_the_order_settles_once(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    ctx = job_context(migrated)
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, price=10_000))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku_id)).json()["id"]
    await pay_through_sandbox(client, buyer, order_id)
    await client.post(
        f"/api/orders/{order_id}/ship", json={"trackingNo": "SF9"}, headers=host.headers
    )
    assert await jobs.auto_confirm_order(ctx, order_id) is False
    await _age(order_id, shipped_at=f"{migrated.auto_confirm_days} days 1 minute")
    assert [await jobs.auto_confirm_order(ctx, order_id) for _ in range(2)] == [True, False]
    assert await jobs.complete_order(ctx, order_id) is False  # after-sales window still open
    await _age(order_id, after_sales_until=f"{migrated.after_sales_days} days 1 minute")
    assert [await jobs.complete_order(ctx, order_id) for _ in range(2)] == [True, False]
    assert await jobs.sweep_received_orders(ctx) == 0
    fee = 10_000 * migrated.platform_fee_bp // 10_000
    host_wallet = (await client.get("/api/me/wallet", headers=host.headers)).json()
    assert (host_wallet["escrow"], host_wallet["receivable"]) == (0, 10_000 - fee)
    async with db.connection() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM ledger_transactions WHERE kind = 'settlement'"
            )
            == 1
        )
        revenue = await entries_of_kind(conn, "revenue")
    assert revenue == fee


async def test_an_open_refund_holds_the_order_past_its_window(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    ctx = job_context(migrated)
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, price=800))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku_id)).json()["id"]
    await pay_through_sandbox(client, buyer, order_id)
    await client.post(
        f"/api/orders/{order_id}/ship", json={"trackingNo": "SF9"}, headers=host.headers
    )
    await client.post(f"/api/orders/{order_id}/confirm", headers=buyer.headers)
    refund = (
        await client.post(
            f"/api/orders/{order_id}/refund",
            json={"reason": "broken", "amount": 300},
            headers=buyer.headers,
        )
    ).json()
    await _age(order_id, after_sales_until="30 days")
    assert await jobs.sweep_received_orders(ctx) == 0
    await client.post(f"/api/refunds/{refund['refunds'][0]['id']}/approve", headers=host.headers)
    assert await jobs.sweep_received_orders(ctx) == 1
    host_wallet = (await client.get("/api/me/wallet", headers=host.headers)).json()
    assert host_wallet["receivable"] == 500 - 500 * migrated.platform_fee_bp // 10_000
