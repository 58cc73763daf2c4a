"""A host's escrow is spread over buckets (ledger/buckets.py): concurrent payments of one host
land in their orders' own buckets, refunds and the settlement take the money out of the bucket it
went into, every reader sums the buckets, and the ledger's laws hold per bucket."""

from __future__ import annotations

import asyncio

import httpx

from livecommerce.domains.ledger import Kind
from livecommerce.domains.ledger.buckets import BUCKETS, bucket_kind, bucketed_balance
from livecommerce.domains.orders import jobs
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.promotions.support import fund
from tests.support import create_product, ledger_state, place_order

BUYERS = 40
PRICE = 1_000


async def _escrow_rows(host_id: int) -> dict[str, int]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT kind, balance FROM accounts WHERE user_id = $1"
            " AND (kind = 'escrow' OR kind LIKE 'escrow.%')",
            host_id,
        )
    return {row["kind"]: int(row["balance"]) for row in rows}


async def test_concurrent_payments_of_one_host_fill_their_orders_buckets_and_leave_by_them(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    sku_id = (await create_product(client, host, price=PRICE, stock=BUYERS))["skus"][0]["id"]
    buyers = [await user_factory(f"buyer{i}") for i in range(BUYERS)]
    for buyer in buyers:
        await fund(buyer, PRICE)
    orders = [(await place_order(client, b, sku_id)).json()["id"] for b in buyers]

    async def pay(buyer, order_id: int) -> int:
        paid = await client.post(
            f"/api/orders/{order_id}/pay", json={"method": "wallet"}, headers=buyer.headers
        )
        return paid.status_code

    codes = await asyncio.gather(*(pay(b, o) for b, o in zip(buyers, orders, strict=True)))
    assert codes == [200] * BUYERS
    rows = await _escrow_rows(host.id)
    expected: dict[str, int] = {}
    for order_id in orders:
        kind = bucket_kind(Kind.ESCROW, order_id % BUCKETS)
        expected[kind] = expected.get(kind, 0) + PRICE
    assert rows == expected and len(rows) > 1
    wallet = (await client.get("/api/me/wallet", headers=host.headers)).json()
    assert wallet["escrow"] == BUYERS * PRICE
    async with db.connection() as conn:
        assert await bucketed_balance(conn, host.id, Kind.ESCROW) == BUYERS * PRICE

    # A refund before shipping debits the refunded order's bucket, not bucket 0.
    refunded = orders[1]
    asked = await client.post(
        f"/api/orders/{refunded}/refund",
        json={"reason": "changed my mind"},
        headers=buyers[1].headers,
    )
    assert asked.status_code in (200, 201), asked.text
    refund_id = asked.json()["refunds"][0]["id"]
    done = await client.post(f"/api/refunds/{refund_id}/approve", headers=host.headers)
    assert done.status_code in (200, 201), done.text
    expected[bucket_kind(Kind.ESCROW, refunded % BUCKETS)] -= PRICE

    # The settlement of another order takes its money out of its own bucket.
    settled = orders[2]
    await client.post(
        f"/api/orders/{settled}/ship", json={"trackingNo": "SF1"}, headers=host.headers
    )
    await client.post(f"/api/orders/{settled}/confirm", headers=buyers[2].headers)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET after_sales_until = now() - interval '1 minute' WHERE id = $1",
            settled,
        )
    assert await jobs.complete_order(job_context(migrated), settled) is True
    expected[bucket_kind(Kind.ESCROW, settled % BUCKETS)] -= PRICE

    assert await _escrow_rows(host.id) == expected
    wallet = (await client.get("/api/me/wallet", headers=host.headers)).json()
    assert wallet["escrow"] == (BUYERS - 2) * PRICE
    state = await ledger_state()
    assert state.balanced, state.problems
    assert min(expected.values()) >= 0
