"""Distribution test helpers: settings, a chain of distributors, an order bought through a link."""

from __future__ import annotations

from typing import Any

import httpx

from livecommerce.infra import db
from tests.support import TestUser


async def configure(client: httpx.AsyncClient, admin: TestUser, **changes: Any) -> dict[str, Any]:
    response = await client.put("/api/admin/settings", json=changes, headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def become(
    client: httpx.AsyncClient, user: TestUser, parent_code: str | None = None
) -> dict[str, Any]:
    body = {"parentCode": parent_code} if parent_code else {}
    response = await client.post("/api/distributors", json=body, headers=user.headers)
    assert response.status_code in (201, 202), response.text
    return response.json()


async def chain(
    client: httpx.AsyncClient, user_factory, names: list[str]
) -> list[tuple[TestUser, dict[str, Any]]]:
    """Distributors each recruited by the one before: names[0] is the root."""
    made: list[tuple[TestUser, dict[str, Any]]] = []
    for name in names:
        user = await user_factory(name, ["distributor"])
        made.append((user, await become(client, user, made[-1][1]["code"] if made else None)))
    return made


async def share(
    client: httpx.AsyncClient, distributor: TestUser, product_id: int
) -> dict[str, Any]:
    response = await client.post(
        "/api/share-links", json={"productId": product_id}, headers=distributor.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def visit(
    client: httpx.AsyncClient, code: str, user: TestUser | None = None
) -> httpx.Response:
    response = await client.get(
        f"/s/{code}", headers=user.headers if user else {}, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return response


async def bound_to(buyer_id: int) -> int | None:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT distributor_id FROM referral_bindings WHERE buyer_id = $1"
            " AND (expires_at IS NULL OR expires_at > now()) ORDER BY id DESC LIMIT 1",
            buyer_id,
        )


async def deliver(
    client: httpx.AsyncClient, host: TestUser, buyer: TestUser, order_id: int
) -> None:
    """Ship and confirm receipt: the after-sales window opens."""
    shipped = await client.post(
        f"/api/orders/{order_id}/ship", json={"trackingNo": "SF1"}, headers=host.headers
    )
    assert shipped.status_code == 200, shipped.text
    confirmed = await client.post(f"/api/orders/{order_id}/confirm", headers=buyer.headers)
    assert confirmed.status_code == 200, confirmed.text


async def close_window(order_id: int) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET after_sales_until = now() - interval '1 minute' WHERE id = $1",
            order_id,
        )


async def ledger_checks() -> tuple[int, int]:
    """(ledger transactions that don't sum to zero, tracked balances that differ from their
    entries)."""
    async with db.connection() as conn:
        unbalanced = await conn.fetchval(
            "SELECT count(*) FROM (SELECT txn_id FROM ledger_entries GROUP BY txn_id HAVING "
            "SUM(amount) <> 0) t"
        )
        drift = await conn.fetchval(
            "SELECT count(*) FROM accounts a WHERE NOT a.derived_balance AND a.balance <>"
            " (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries e WHERE e.account_id = a.id)"
        )
        total = await conn.fetchval("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries")
    assert total == 0
    return int(unbalanced), int(drift)


async def commissions_of(order_id: int) -> list[tuple[int, int, int, int, str]]:
    """(distributor, level, amount, reversed, status) per commission, by item then level."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT distributor_id, level, amount, reversed_amount, status FROM commissions WHERE "
            "order_id = $1"
            " ORDER BY order_item_id, level",
            order_id,
        )
    return [
        (r["distributor_id"], r["level"], r["amount"], r["reversed_amount"], r["status"])
        for r in rows
    ]
