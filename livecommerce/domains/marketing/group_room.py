"""The live room's part of group buys: the join snapshot's `groupBuys`, the group terms of the
showcase's products and a few of their open groups (the buy sheet shows 单独购买 beside 发起拼团;
`group_buy` events, priority ones, tell the room when a group opens, fills or fails)."""

from __future__ import annotations

from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.domains.marketing.group_offers import open_groups
from livecommerce.infra.auth import Actor

OPEN_GROUPS_IN_ROOM = 3


async def snapshot_part(conn: Connection, room_id: int, actor: Actor | None) -> dict[str, Any]:
    """RoomHooks.snapshot_parts: `groupBuys`, one per showcase product with a group buy on."""
    offers = await conn.fetch(
        "SELECT o.product_id, o.group_size, o.hours FROM group_buy_offers o"
        " JOIN room_products rp ON rp.product_id = o.product_id AND rp.room_id = $1"
        " JOIN products p ON p.id = o.product_id WHERE o.enabled AND p.on_shelf"
        " ORDER BY rp.position, o.product_id",
        room_id,
    )
    if not offers:
        return {"groupBuys": []}
    prices = await conn.fetch(
        "SELECT gp.product_id, gp.sku_id, s.name, gp.price, s.price AS list_price"
        " FROM group_buy_prices gp JOIN skus s ON s.id = gp.sku_id"
        " WHERE gp.product_id = ANY($1::int[]) ORDER BY gp.sku_id",
        [row["product_id"] for row in offers],
    )
    found = []
    for row in offers:
        groups = (await open_groups(conn, row["product_id"]))[:OPEN_GROUPS_IN_ROOM]
        found.append(
            {
                "productId": row["product_id"],
                "enabled": True,
                "groupSize": row["group_size"],
                "hours": row["hours"],
                "prices": [
                    {
                        "skuId": p["sku_id"],
                        "skuName": p["name"],
                        "price": p["price"],
                        "listPrice": p["list_price"],
                    }
                    for p in prices
                    if p["product_id"] == row["product_id"]
                ],
                "openGroups": msgspec.to_builtins(groups),
            }
        )
    return {"groupBuys": found}
