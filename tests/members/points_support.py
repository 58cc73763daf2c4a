"""Helpers of the points tests: a host with points rules, orders taken to completion (earning),
thawing, and the points and earning rows straight from the database."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from livecommerce.domains.members import points, points_earning
from livecommerce.domains.members.points import PointsBalance
from livecommerce.infra import db
from tests.distribution.helpers import close_window, deliver
from tests.support import TestUser, create_product, ledger_state, pay_through_sandbox, place_order


async def set_rules(client: httpx.AsyncClient, host: TestUser, **rules: int) -> dict[str, Any]:
    done = await client.put("/api/host/points-settings", json=rules, headers=host.headers)
    assert done.status_code == 200, done.text
    return dict(done.json())


async def sku_of(client: httpx.AsyncClient, host: TestUser, price: int, stock: int = 100) -> int:
    return int((await create_product(client, host, price=price, stock=stock))["skus"][0]["id"])


async def paid(
    client: httpx.AsyncClient, buyer: TestUser, sku_id: int, quantity: int = 1, **extra: Any
) -> dict[str, Any]:
    placed = await place_order(client, buyer, sku_id, quantity, **extra)
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    return dict(placed.json())


async def complete(
    client: httpx.AsyncClient, admin: TestUser, host: TestUser, buyer: TestUser, order_id: int
) -> None:
    """Shipped, received, the after-sales window closed, completed (the points are earned)."""
    await deliver(client, host, buyer, order_id)
    await close_window(order_id)
    done = await client.post(f"/api/orders/{order_id}/complete", headers=admin.headers)
    assert done.status_code == 200 and done.json()["status"] == "completed", done.text


async def earn(
    client: httpx.AsyncClient,
    admin: TestUser,
    host: TestUser,
    buyer: TestUser,
    sku_id: int,
    quantity: int = 1,
) -> int:
    """An order paid and completed: its points are earned (frozen). Returns the order id."""
    order = await paid(client, buyer, sku_id, quantity)
    await complete(client, admin, host, buyer, order["id"])
    return int(order["id"])


async def due_now(order_id: int) -> None:
    """The order's freeze ends now (as if the N days had passed)."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE points_earnings SET thaw_at = now() - interval '1 second' WHERE order_id = $1",
            order_id,
        )


async def earn_available(
    client: httpx.AsyncClient,
    admin: TestUser,
    host: TestUser,
    buyer: TestUser,
    sku_id: int,
    quantity: int = 1,
) -> int:
    """An order completed and its points thawed: spendable."""
    order_id = await earn(client, admin, host, buyer, sku_id, quantity)
    await due_now(order_id)
    assert await points_earning.thaw(order_id)
    return order_id


async def balance(host: TestUser, buyer: TestUser) -> PointsBalance:
    async with db.connection() as conn:
        return await points.balances(conn, host.id, buyer.id)


async def earning(order_id: int) -> dict[str, Any] | None:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM points_earnings WHERE order_id = $1", order_id)
    return dict(row) if row else None


async def order_row(order_id: int) -> dict[str, Any]:
    async with db.connection() as conn:
        return dict(await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id))


async def refund(
    client: httpx.AsyncClient,
    buyer: TestUser,
    host: TestUser,
    order_id: int,
    amount: int | None = None,
) -> dict[str, Any]:
    """The buyer asks for `amount` (None: all that is left) and the host approves it."""
    body: dict[str, Any] = {"reasonCode": "quality"}
    if amount is not None:
        body["amount"] = amount
    asked = await client.post(f"/api/orders/{order_id}/refund", json=body, headers=buyer.headers)
    assert asked.status_code == 200, asked.text
    refund_id = asked.json()["refund"]["id"]
    done = await client.post(f"/api/refunds/{refund_id}/approve", json={}, headers=host.headers)
    assert done.status_code == 200, done.text
    return dict(done.json())


async def dispute_refund(
    client: httpx.AsyncClient, admin: TestUser, order_id: int, amount: int
) -> dict[str, Any]:
    """The operator refunds `amount` of a completed order (a dispute granted)."""
    done = await client.post(
        f"/api/admin/orders/{order_id}/refunds",
        json={"amount": amount, "reason": "dispute granted"},
        headers={**admin.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert done.status_code == 201, done.text
    return dict(done.json())


async def invariants(host: TestUser, buyer: TestUser) -> None:
    """The ledger's laws, points never negative, frozen points = the earnings' frozen parts."""
    state = await ledger_state()
    assert state.balanced, state.problems
    async with db.connection() as conn:
        negative = await conn.fetchval(
            "SELECT count(*) FROM accounts WHERE (kind LIKE 'pts:%' OR kind LIKE 'ptf:%')"
            " AND balance < 0"
        )
        frozen_parts = await conn.fetchval(
            "SELECT COALESCE(SUM(frozen_left), 0) FROM points_earnings"
            " WHERE host_id = $1 AND user_id = $2",
            host.id,
            buyer.id,
        )
        have = await points.balances(conn, host.id, buyer.id)
        issuer = await conn.fetchval(
            "SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN accounts a"
            " ON a.id = e.account_id WHERE a.user_id = $1 AND a.kind = 'points_issuer'",
            host.id,
        )
        outstanding = await conn.fetchval(
            "SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE kind = ANY($1::text[])",
            [f"pts:{host.id}", f"ptf:{host.id}"],
        )
    assert negative == 0
    assert have.frozen == frozen_parts
    # What the host issued and did not get back is what its members hold.
    assert -issuer == outstanding
