"""Flash sales (秒杀): a host makes one on a showcase SKU; it ends at its close (or when the host
ends it) and gives back what it did not sell.

Making a sale sets its quantity aside out of the SKU's stock in one conditional UPDATE, so its
buyers never touch the SKU's row (the hot row of every other checkout). Ending it gives back
the units no order holds: each is written as a unit row with no order, in one INSERT ... ON
CONFLICT DO NOTHING, so a late order can't take a unit that went back, and a unit a late order
took is not given back (the (sale_id, unit_no) key decides, whatever the timing).

Lock order: the sale's row, then the SKU's (as a cancelled flash order takes them, flash_orders).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from asyncpg import Connection, Record, UniqueViolationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.domains.live import events as room_events
from livecommerce.domains.live import queries as rooms
from livecommerce.domains.marketing import flash_gate
from livecommerce.domains.marketing.flash_rules import (
    LOWEST_DAYS,
    not_lowest,
    phase,
    terms_problem,
    window,
)
from livecommerce.domains.marketing.flash_schemas import CreateFlashSale, FlashSaleOut
from livecommerce.infra import db, queue
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

log = structlog.get_logger("marketing.flash")

_SALE_SQL = (
    "SELECT f.*, p.title, s.name AS sku_name, coalesce(s.image, p.images[1]) AS image_url"
    " FROM flash_sales f JOIN skus s ON s.id = f.sku_id JOIN products p ON p.id = f.product_id"
)


def not_found(sale_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no flash sale {sale_id}")


def _exists(sku_id: int) -> DomainError:
    return DomainError(
        ErrorCode.FLASH_SALE_EXISTS,
        detail=f"SKU {sku_id} has a flash sale on already",
        field="skuId",
    )


def sale_out(row: Record, left: int, now: datetime) -> FlashSaleOut:
    return FlashSaleOut(
        id=row["id"],
        room_id=row["room_id"],
        product_id=row["product_id"],
        sku_id=row["sku_id"],
        title=row["title"],
        sku_name=row["sku_name"],
        image_url=row["image_url"],
        price=row["price"],
        list_price=row["list_price"],
        lowest30d=row["lowest_30d"],
        not_lowest=not_lowest(row["price"], row["lowest_30d"]),
        quantity=row["quantity"],
        per_user_limit=row["per_user_limit"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        server_now=now,
        status=row["status"],
        phase=phase(now, row["starts_at"], row["ends_at"], row["status"]).value,
        left=0 if row["status"] == "ended" else left,
        sold=row["sold"],
        returned=row["returned"],
    )


async def sale_row(conn: Connection, sale_id: int) -> Record:
    found = await conn.fetchrow(_SALE_SQL + " WHERE f.id = $1", sale_id)
    if found is None:
        raise not_found(sale_id)
    return found


async def lowest_30d(conn: Connection, sku_id: int, list_price: int) -> int:
    """The lowest unit price the SKU was offered or sold at in the last 30 days: its list price,
    what paid orders paid per unit, and earlier flash prices."""
    found = await conn.fetchval(
        "SELECT min(p) FROM (SELECT min((i.paid_amount + i.quantity - 1) / i.quantity) AS p"
        " FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.sku_id = $1"
        " AND o.paid_at > now() - make_interval(days => $2)"
        " UNION ALL SELECT min(price) FROM flash_sales WHERE sku_id = $1"
        " AND created_at > now() - make_interval(days => $2)) m",
        sku_id,
        LOWEST_DAYS,
    )
    return min(list_price, int(found)) if found is not None else list_price


async def left_now(redis: Redis, row: Record) -> int:
    """Units free now per the gate; if Redis can't say, what PostgreSQL's rows leave."""
    if row["status"] == "ended":
        return 0
    try:
        return await flash_gate.left(redis, row)
    except (RedisError, OSError):
        async with db.connection() as conn:
            held = await conn.fetchval(
                "SELECT count(*) FROM flash_units WHERE sale_id = $1", row["id"]
            )
        return row["quantity"] - int(held)


async def create_flash_sale(
    redis: Redis, host_id: int, room_id: int, data: CreateFlashSale
) -> FlashSaleOut:
    """A host's flash sale on a SKU of a product on its room's showcase (409
    flash_sale_exists while another sale of the SKU is on)."""
    async with db.transaction() as tx:
        conn = tx.conn
        await rooms.hosted_room(conn, room_id, host_id)
        sku = await conn.fetchrow(
            "SELECT s.id, s.price, s.stock, s.product_id FROM skus s"
            " JOIN products p ON p.id = s.product_id"
            " JOIN room_products r ON r.product_id = p.id AND r.room_id = $3"
            " WHERE s.id = $1 AND p.host_id = $2",
            data.sku_id,
            host_id,
            room_id,
        )
        if sku is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                detail=f"SKU {data.sku_id} is not on this room's showcase",
                field="skuId",
            )
        problem = terms_problem(
            price=data.price,
            list_price=sku["price"],
            quantity=data.quantity,
            per_user_limit=data.per_user_limit,
            countdown_seconds=data.countdown_seconds,
            window_minutes=data.window_minutes,
            stock=sku["stock"],
        )
        if problem is not None:
            raise DomainError(ErrorCode.VALIDATION_ERROR, detail=problem[1], field=problem[0])
        if await conn.fetchval(
            "SELECT 1 FROM flash_sales WHERE sku_id = $1 AND status = 'active'", sku["id"]
        ):
            raise _exists(sku["id"])
        low = await lowest_30d(conn, sku["id"], sku["price"])
        if not_lowest(data.price, low) and not data.acknowledge_not_lowest:
            raise DomainError(
                ErrorCode.FLASH_PRICE_NOT_LOWEST,
                detail=f"{data.price} fen is not below the SKU's 30-day low of {low} fen;"
                " send acknowledgeNotLowest to make it anyway",
                lowest30d=low,
            )
        now = await conn.fetchval("SELECT now()")
        opens, closes = window(now, data.countdown_seconds, data.window_minutes)
        # One UPDATE sets the whole quantity aside: the sale's buyers never lock this row.
        reserved = await conn.fetchval(
            "UPDATE skus SET stock = stock - $2 WHERE id = $1 AND stock >= $2 RETURNING id",
            sku["id"],
            data.quantity,
        )
        if reserved is None:
            raise DomainError(
                ErrorCode.OUT_OF_STOCK, detail=f"SKU {sku['id']} has fewer than {data.quantity}"
            )
        try:
            async with conn.transaction():
                sale_id = await conn.fetchval(
                    "INSERT INTO flash_sales (host_id, room_id, product_id, sku_id, price,"
                    " list_price, lowest_30d, quantity, per_user_limit, starts_at, ends_at,"
                    " status, created_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12)"
                    " RETURNING id",
                    host_id,
                    room_id,
                    sku["product_id"],
                    sku["id"],
                    data.price,
                    sku["price"],
                    low,
                    data.quantity,
                    data.per_user_limit,
                    opens,
                    closes,
                    now,
                )
        except UniqueViolationError:  # made by a concurrent request since the check above
            raise _exists(sku["id"]) from None
        row = await sale_row(conn, sale_id)
        out = sale_out(row, data.quantity, now)

        async def opened() -> None:
            try:
                await flash_gate.load(redis, row, [])
            except (RedisError, OSError) as exc:  # the first buyer's take rebuilds it
                log.warning("flash_gate_not_loaded", sale_id=sale_id, error=str(exc))
            await queue.enqueue(
                "end_flash_sale", sale_id, job_id=f"flash-end:{sale_id}", defer_until=closes
            )
            await room_events.publish(
                room_id, room_events.event("flash_sale", sale=event_fields(out), priority=True)
            )

        tx.after_commit(opened)
    return out


def event_fields(out: FlashSaleOut) -> dict[str, Any]:
    import msgspec

    fields: dict[str, Any] = msgspec.to_builtins(out)
    return fields


async def end_flash_sale(redis: Redis | None, sale_id: int, host_id: int | None = None) -> bool:
    """End a sale (its close has come, or its host ends it early): the units no order holds go
    back to the SKU. Idempotent: a second run finds it ended and returns False."""
    async with db.transaction() as tx:
        conn = tx.conn
        sale = await conn.fetchrow(
            "SELECT * FROM flash_sales WHERE id = $1 AND status = 'active'"
            + ("" if host_id is None else " AND host_id = $2")
            + " FOR UPDATE",
            *((sale_id,) if host_id is None else (sale_id, host_id)),
        )
        if sale is None:
            if host_id is not None and not await conn.fetchval(
                "SELECT 1 FROM flash_sales WHERE id = $1 AND host_id = $2", sale_id, host_id
            ):
                raise not_found(sale_id)
            return False
        if host_id is None and sale["ends_at"] > await conn.fetchval("SELECT now()"):
            return False  # the job ran early (a clock moved): the sale is still on
        await conn.execute(
            "UPDATE flash_sales SET status = 'ended', ended_at = now() WHERE id = $1",
            sale_id,
        )
        # A unit an order holds (committed, or being written now: the key waits for it) stays
        # sold; every other unit goes back, and no order can take it after this.
        returned = await conn.fetchval(
            "WITH back AS (INSERT INTO flash_units (sale_id, unit_no, created_at)"
            " SELECT $1, u, now() FROM generate_series(1, $2) u"
            " ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM back",
            sale_id,
            sale["quantity"],
        )
        sold = sale["quantity"] - int(returned)
        await conn.execute(
            "UPDATE skus SET stock = stock + $2, sold = sold + $3 WHERE id = $1",
            sale["sku_id"],
            int(returned),
            sold,
        )
        await conn.execute(
            "UPDATE flash_sales SET sold = $2, returned = $3 WHERE id = $1",
            sale_id,
            sold,
            int(returned),
        )
        room_id = sale["room_id"]

        async def ended() -> None:
            if redis is not None:
                try:
                    await flash_gate.drop(redis, room_id, sale_id)
                except (RedisError, OSError) as exc:  # its keys lapse by their TTL
                    log.warning("flash_gate_not_dropped", sale_id=sale_id, error=str(exc))
            await room_events.publish(
                room_id,
                room_events.event("flash_left", saleId=sale_id, left=0, ended=True, priority=True),
            )

        tx.after_commit(ended)
    log.info("flash_sale_ended", sale_id=sale_id, sold=sold, returned=int(returned))
    return True


async def get_flash_sale(redis: Redis, sale_id: int) -> FlashSaleOut:
    async with db.connection() as conn:
        row = await sale_row(conn, sale_id)
        now = await conn.fetchval("SELECT now()")
    return sale_out(row, await left_now(redis, row), now)


async def room_flash_sales(
    redis: Redis, room_id: int, *, ended: bool = False
) -> list[FlashSaleOut]:
    """The room's sales on now (counting down or open), or also the ended ones (the host)."""
    async with db.connection() as conn:
        await rooms.room(conn, room_id)
        rows = await conn.fetch(
            _SALE_SQL
            + " WHERE f.room_id = $1"
            + ("" if ended else " AND f.status = 'active' AND f.ends_at > now()")
            + " ORDER BY f.id DESC LIMIT 20",
            room_id,
        )
        now = await conn.fetchval("SELECT now()")
    return [sale_out(row, await left_now(redis, row), now) for row in rows]


async def snapshot_part(conn: Connection, room_id: int, actor: Actor | None) -> dict[str, Any]:
    """RoomHooks.snapshot_parts: `flashSales`, the room's sales on now, as a viewer joining sees
    them (with the server's time to count down against, and how many the viewer holds)."""
    redis = room_events.redis()
    rows = await conn.fetch(
        _SALE_SQL + " WHERE f.room_id = $1 AND f.status = 'active' AND f.ends_at > now()"
        " ORDER BY f.id DESC LIMIT 5",
        room_id,
    )
    now = datetime.now(UTC)
    sales = []
    for row in rows:
        units_left: int | None = None
        if redis is not None:
            try:
                units_left = await flash_gate.left(redis, row)
            except (RedisError, OSError):
                units_left = None
        if units_left is None:  # what PostgreSQL's rows leave
            held = await conn.fetchval(
                "SELECT count(*) FROM flash_units WHERE sale_id = $1", row["id"]
            )
            units_left = row["quantity"] - int(held)
        fields = event_fields(sale_out(row, units_left, now))
        if actor is not None:
            fields["yours"] = int(
                await conn.fetchval(
                    "SELECT count(*) FROM flash_units WHERE sale_id = $1 AND buyer_id = $2",
                    row["id"],
                    actor.id,
                )
            )
        sales.append(fields)
    return {"flashSales": sales}
