"""Helpers of the tier and benefit tests: a ladder saved through the API, paid orders, the member
row and growth straight from the database, and time moved back on the rows (as if days had
passed) where a test needs a window to roll."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from livecommerce.infra import db
from tests.support import ADDRESS, TestUser, create_product, pay_through_sandbox

LADDER = [
    {"code": "normal", "name": "普通", "threshold": 0},
    {"code": "silver", "name": "银卡", "threshold": 100_00},
    {"code": "gold", "name": "金卡", "threshold": 500_00},
    {"code": "black", "name": "黑金", "threshold": 2000_00},
]


async def set_ladder(
    client: httpx.AsyncClient, host: TestUser, window: str = "month", **extra: Any
) -> dict[str, Any]:
    saved = await client.put(
        "/api/host/tiers",
        json={"window": window, "tiers": extra.pop("tiers", LADDER), **extra},
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text
    return dict(saved.json())


async def sku_of(client: httpx.AsyncClient, host: TestUser, price: int, stock: int = 500) -> int:
    return int((await create_product(client, host, price=price, stock=stock))["skus"][0]["id"])


async def place(
    client: httpx.AsyncClient, buyer: TestUser, lines: list[tuple[int, int]]
) -> dict[str, Any]:
    placed = await client.post(
        "/api/orders",
        json={"items": [{"skuId": s, "quantity": q} for s, q in lines], "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    return dict(placed.json())


async def buy(
    client: httpx.AsyncClient, buyer: TestUser, sku_id: int, quantity: int = 1
) -> dict[str, Any]:
    order = await place(client, buyer, [(sku_id, quantity)])
    await pay_through_sandbox(client, buyer, order["id"])
    return order


async def refund_all(
    client: httpx.AsyncClient, host: TestUser, buyer: TestUser, order_id: int, **ask: Any
) -> None:
    asked = await client.post(
        f"/api/orders/{order_id}/refund",
        json={"reason": "not needed", **ask},
        headers=buyer.headers,
    )
    assert asked.status_code == 200, asked.text
    refund_id = asked.json()["refunds"][-1]["id"]
    approved = await client.post(f"/api/refunds/{refund_id}/approve", headers=host.headers)
    assert approved.status_code == 200, approved.text


async def member(host: TestUser, buyer: TestUser) -> dict[str, Any]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM members WHERE host_id = $1 AND user_id = $2", host.id, buyer.id
        )
    assert row is not None
    return dict(row)


async def standing(client: httpx.AsyncClient, buyer: TestUser, host: TestUser) -> dict[str, Any]:
    got = await client.get(f"/api/hosts/{host.id}/membership", headers=buyer.headers)
    assert got.status_code == 200, got.text
    return dict(got.json())


async def age(host: TestUser, buyer: TestUser, days: int) -> None:
    """As if `days` had passed: the member's growth and tier change happened that much earlier."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE member_growth g SET created_at = g.created_at - make_interval(days => $3)"
            " FROM members m WHERE g.member_id = m.id AND m.host_id = $1 AND m.user_id = $2",
            host.id,
            buyer.id,
            days,
        )
        await conn.execute(
            "UPDATE members SET tier_changed_at = tier_changed_at - make_interval(days => $3)"
            " WHERE host_id = $1 AND user_id = $2",
            host.id,
            buyer.id,
            days,
        )
