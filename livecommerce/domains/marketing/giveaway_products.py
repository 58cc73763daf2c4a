"""A giveaway's product prize (实物奖品): its value is the SKU's price per winner, and its units
are set aside from the SKU's stock when the giveaway starts. A claim ships one as a zero-price
order (giveaway_draws, orders/prizes.py); the ones nobody gets go back to the SKU, once each."""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.marketing.giveaway_schemas import StartGiveaway
from livecommerce.infra.errors import DomainError, ErrorCode


async def product_value(conn: Connection, host_id: int, data: StartGiveaway) -> int:
    """A product prize is worth its SKU's price per winner; the SKU must be the host's own."""
    if data.sku_id is None:
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="a product prize needs skuId")
    sku = await conn.fetchrow(
        "SELECT s.price, p.host_id FROM skus s JOIN products p ON p.id = s.product_id"
        " WHERE s.id = $1",
        data.sku_id,
    )
    if sku is None or sku["host_id"] != host_id:  # another host's SKU does not exist for you
        raise DomainError(
            ErrorCode.NOT_FOUND,
            detail=f"SKU {data.sku_id} is not one of your products",
            skuId=data.sku_id,
        )
    if sku["price"] <= 0:
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="a prize SKU needs a price")
    return int(sku["price"])


async def reserve_units(conn: Connection, sku_id: int, units: int) -> None:
    """Set the prize units aside from the SKU's stock now (one conditional UPDATE, as a flash
    sale does), so every prize can be shipped; the ones nobody gets go back (`return_units`)."""
    reserved = await conn.fetchval(
        "UPDATE skus SET stock = stock - $2 WHERE id = $1 AND stock >= $2 RETURNING id",
        sku_id,
        units,
    )
    if reserved is None:
        left = await conn.fetchval("SELECT stock FROM skus WHERE id = $1", sku_id)
        raise DomainError(
            ErrorCode.OUT_OF_STOCK,
            detail=f"SKU {sku_id} has {left} left, {units} prizes asked",
            skuId=sku_id,
            left=left,
            available=left,
        )


async def return_units(conn: Connection, giveaway: Record, key: str, units: int) -> None:
    """Units nobody will get back to the SKU's stock, once per `key` (a job run twice adds
    nothing: the `giveaway_stock_returns` row is unique per giveaway and key)."""
    returned = await conn.fetchval(
        "INSERT INTO giveaway_stock_returns (giveaway_id, key, sku_id, units, created_at)"
        " VALUES ($1, $2, $3, $4, now()) ON CONFLICT (giveaway_id, key) DO NOTHING"
        " RETURNING units",
        giveaway["id"],
        key,
        giveaway["sku_id"],
        units,
    )
    if returned is not None:
        await conn.execute(
            "UPDATE skus SET stock = stock + $2 WHERE id = $1", giveaway["sku_id"], returned
        )
