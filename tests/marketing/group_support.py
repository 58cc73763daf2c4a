"""Helpers of the group-buy tests: a host's product with group terms, opening, joining, paying."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from livecommerce.infra import db
from tests.support import ADDRESS, TestUser, create_product


async def group_product(
    client: httpx.AsyncClient,
    host: TestUser,
    *,
    price: int = 1000,
    group_price: int = 600,
    size: int = 2,
    hours: int = 24,
    stock: int = 50,
    pays_commission: bool = True,
) -> dict[str, Any]:
    """A product on shelf with group terms; its `skuId` added."""
    product = await create_product(client, host, price=price, stock=stock, title="拼团茶")
    sku_id = product["skus"][0]["id"]
    offered = await client.put(
        f"/api/products/{product['id']}/group-buy",
        json={
            "groupSize": size,
            "hours": hours,
            "prices": [{"skuId": sku_id, "price": group_price}],
            "paysCommission": pays_commission,
        },
        headers=host.headers,
    )
    assert offered.status_code == 200, offered.text
    return {**product, "skuId": sku_id}


async def open_group(
    client: httpx.AsyncClient, buyer: TestUser, sku_id: int, **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/group-buys",
        json={"skuId": sku_id, "address": ADDRESS, **extra},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )


async def join_group(
    client: httpx.AsyncClient, buyer: TestUser, group_id: int, sku_id: int, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/api/group-buys/{group_id}/join",
        json={"skuId": sku_id, "address": ADDRESS, **extra},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )


async def pay_wallet(client: httpx.AsyncClient, buyer: TestUser, order_id: int) -> httpx.Response:
    return await client.post(
        f"/api/orders/{order_id}/pay", json={"method": "wallet"}, headers=buyer.headers
    )


async def opened(client: httpx.AsyncClient, leader: TestUser, sku_id: int) -> tuple[int, int]:
    """A group opened and paid for by `leader` (from the wallet): (group id, order id)."""
    placed = await open_group(client, leader, sku_id)
    assert placed.status_code == 201, placed.text
    body = placed.json()
    paid = await pay_wallet(client, leader, body["order"]["id"])
    assert paid.status_code == 200, paid.text
    return body["groupId"], body["order"]["id"]


async def group_row(group_id: int) -> dict[str, Any]:
    async with db.connection() as conn:
        return dict(await conn.fetchrow("SELECT * FROM group_buys WHERE id = $1", group_id))


async def members(group_id: int) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        return [
            dict(row)
            for row in await conn.fetch(
                "SELECT * FROM group_buy_members WHERE group_id = $1 ORDER BY id", group_id
            )
        ]


async def expire(group_id: int) -> None:
    """Move the group's deadline into the past (as the clock would)."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE group_buys SET expires_at = now() - interval '1 second' WHERE id = $1",
            group_id,
        )


async def owned_group(leader_id: int, product_id: int) -> int:
    """An open group `leader_id` leads, of their product, written straight (the authorization
    matrix needs one per owner; how groups come to be is tested through the API elsewhere)."""
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "INSERT INTO group_buys (product_id, host_id, leader_id, group_size, hours,"
                " pays_commission, status, paid_count, opened_at, expires_at)"
                " VALUES ($1, $2, $2, 2, 24, true, 'open', 1, now(), now() + interval '1 day')"
                " RETURNING id",
                product_id,
                leader_id,
            )
        )
