"""Helpers of the console's money tests: orders through their life over HTTP, a refund asked and
answered, a funded distributor, sums straight from the ledger's and the orders' tables."""

from __future__ import annotations

from typing import Any

import httpx

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from tests.distribution.helpers import close_window, deliver
from tests.support import TestUser, create_product, pay_through_sandbox, place_order


async def paid_order(
    client: httpx.AsyncClient,
    buyer: TestUser,
    sku_id: int,
    quantity: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    placed = await place_order(client, buyer, sku_id, quantity, **extra)
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    return dict(placed.json())


async def product_sku(client: httpx.AsyncClient, host: TestUser, price: int, **extra: Any) -> int:
    return int((await create_product(client, host, price=price, **extra))["skus"][0]["id"])


async def ask_refund(
    client: httpx.AsyncClient, buyer: TestUser, order_id: int, **body: Any
) -> dict[str, Any]:
    asked = await client.post(
        f"/api/orders/{order_id}/refund",
        json={"reasonCode": "quality", **body},
        headers=buyer.headers,
    )
    assert asked.status_code == 200, asked.text
    return dict(asked.json()["refund"])


async def answer_refund(
    client: httpx.AsyncClient, host: TestUser, refund_id: int, verb: str, reason: str = ""
) -> dict[str, Any]:
    answered = await client.post(
        f"/api/refunds/{refund_id}/{verb}", json={"reason": reason}, headers=host.headers
    )
    assert answered.status_code == 200, answered.text
    return dict(answered.json())


async def complete(
    client: httpx.AsyncClient, admin: TestUser, host: TestUser, buyer: TestUser, order_id: int
) -> None:
    """Shipped, received, the after-sales window closed, completed: the host's takings settle."""
    await deliver(client, host, buyer, order_id)
    await close_window(order_id)
    done = await client.post(f"/api/orders/{order_id}/complete", headers=admin.headers)
    assert done.json()["status"] == "completed", done.text


async def fund_wallet(user_id: int, amount: int) -> None:
    """Commission income stands in: the clearing account pays the wallet."""
    async with db.transaction() as tx:
        conn = tx.conn
        clearing = await ledger.account_id(conn, None, Kind.COMMISSION)
        wallet = await ledger.account_id(conn, user_id, Kind.WALLET)
        await ledger.post(
            conn,
            f"test-fund:{user_id}:{amount}",
            "commission",
            [(clearing, -amount), (wallet, amount)],
        )


async def scalar(sql: str, *args: Any) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(sql, *args) or 0)


async def ledger_sum(kind: str, txn_kind: str | None = None) -> int:
    """The sum of the entries of every account of `kind` (of transactions of `txn_kind`)."""
    return await scalar(
        "SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e"
        " JOIN accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.txn_id"
        # A bucketed kind's buckets (`escrow.7`, ledger/buckets.py) count as the kind.
        " WHERE (a.kind = $1 OR a.kind LIKE $1 || '.%') AND ($2::text IS NULL OR t.kind = $2)",
        kind,
        txn_kind,
    )


async def actions(prefix: str) -> list[dict[str, Any]]:
    """The operator_actions rows whose action starts with `prefix`, oldest first."""
    import json

    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM operator_actions WHERE action LIKE $1 || '%' ORDER BY id", prefix
        )
    out = []
    for row in rows:
        item = dict(row)
        for key in ("before", "after"):
            if isinstance(item[key], str):
                item[key] = json.loads(item[key])
        out.append(item)
    return out
