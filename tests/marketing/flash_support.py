"""Flash sales for the tests: a room with a showcase SKU, a sale on it, opening it at once
(the countdown is 10 s at least), buying and paying."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from redis.asyncio import Redis

from livecommerce.domains.marketing import flash_gate
from livecommerce.infra import db
from tests.support import ADDRESS, TestUser, live_room_with_product


async def room_with_sku(
    client: httpx.AsyncClient, host: TestUser, *, price: int = 1_000, stock: int = 200
) -> tuple[int, int]:
    """(room id, SKU id): a live room whose showcase holds a product of one SKU."""
    room, item = await live_room_with_product(client, host, price=price, stock=stock)
    return room["id"], item["skus"][0]["id"]


async def make_sale(
    client: httpx.AsyncClient, host: TestUser, room_id: int, sku_id: int, **terms: Any
) -> httpx.Response:
    body = {
        "skuId": sku_id,
        "price": 500,
        "quantity": 10,
        "perUserLimit": 1,
        "countdownSeconds": 10,
        "windowMinutes": 5,
        **terms,
    }
    return await client.post(f"/api/rooms/{room_id}/flash-sales", json=body, headers=host.headers)


async def open_now(redis_url: str, sale: dict[str, Any]) -> None:
    """Skip the countdown: the sale opened a moment ago (its gate is reloaded with the times)."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE flash_sales SET starts_at = now() - interval '1 second' WHERE id = $1",
            sale["id"],
        )
    redis = Redis.from_url(redis_url)
    try:
        await redis.delete(*flash_gate.keys(sale["roomId"], sale["id"]))
    finally:
        await redis.aclose()


async def buy(
    client: httpx.AsyncClient, buyer: TestUser, sale_id: int, quantity: int = 1
) -> httpx.Response:
    return await client.post(
        f"/api/flash-sales/{sale_id}/orders",
        json={"quantity": quantity, "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )


async def pay(client: httpx.AsyncClient, buyer: TestUser, order_id: int) -> httpx.Response:
    return await client.post(
        f"/api/orders/{order_id}/pay", json={"method": "wallet"}, headers=buyer.headers
    )


async def units(sale_id: int) -> dict[str, int]:
    """held: units held by orders; returned: given back to the SKU; buyers: distinct holders."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE order_id IS NOT NULL) AS held,"
            " count(*) FILTER (WHERE order_id IS NULL) AS returned,"
            " count(DISTINCT buyer_id) AS buyers,"
            " COALESCE(max(n), 0) AS most FROM flash_units"
            " LEFT JOIN (SELECT buyer_id AS b, count(*) AS n FROM flash_units WHERE sale_id = $1"
            " AND buyer_id IS NOT NULL GROUP BY buyer_id) per ON per.b = flash_units.buyer_id"
            " WHERE sale_id = $1",
            sale_id,
        )
    return dict(row)


async def owned_flash_sale(host_id: int, room_id: int, product_id: int) -> int:
    """A flash sale of `host_id`'s product in their room, written straight (the authorization
    matrix needs one per owner; how sales come to be is tested through the API elsewhere)."""
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "INSERT INTO flash_sales (host_id, room_id, product_id, sku_id, price, list_price,"
                " lowest_30d, quantity, per_user_limit, starts_at, ends_at, status, created_at)"
                " SELECT $1, $2, $3, s.id, 1, s.price + 1, s.price, 1, 1, now() + interval '1 min',"
                " now() + interval '10 min', 'active', now()"
                " FROM skus s WHERE s.product_id = $3 ORDER BY s.id LIMIT 1 RETURNING id",
                host_id,
                room_id,
                product_id,
            )
        )
