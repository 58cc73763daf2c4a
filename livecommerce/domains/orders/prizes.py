"""Prize orders: a unit a marketing tool gives away (a giveaway's product prize), shipped like any
other order at a price of zero.

No money moves, so none of the money path runs: no payment, no ledger posting (a zero posting is
refused anyway), none of the placed or paid reactions (no coupon, points, member price,
distributor chain, commission, member growth or points). The order is written `paid` (ready to
ship, on the host's desk), with `payment_method` "giveaway" saying why it needs no payment, and
its item `stock_reserved`: the unit was set aside from the SKU's stock by the tool that gives it,
so restocking never counts it twice. Shipping and receipt are the ordinary steps; its completion
settles nothing (net 0); an after-sales refund is refused (`prize_order_not_refundable`).
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.infra.errors import DomainError, ErrorCode

PRIZE_METHOD = "giveaway"


def is_prize(order: Record) -> bool:
    return bool(order["payment_method"] == PRIZE_METHOD)


def ensure_refundable(order: Record) -> None:
    """A prize order was never paid for: there is no money to give back."""
    if is_prize(order):
        raise DomainError(
            ErrorCode.PRIZE_ORDER_NOT_REFUNDABLE,
            detail=f"order {order['id']} is a giveaway prize (奖品订单): nothing was paid, so"
            " nothing can be refunded; ask the host about a missing or broken prize",
        )


async def place_prize_order(
    conn: Connection,
    *,
    buyer_id: int,
    sku_id: int,
    address: str,
    room_id: int | None,
    session_id: int | None,
    note: str,
) -> Record:
    """Write one unit of `sku_id` (its host's) to `buyer_id` as a paid zero-price order, inside the
    caller's transaction; `address` is addressing.copy_for_order's JSON."""
    sku = await conn.fetchrow(
        "SELECT s.id, s.name, p.id AS product_id, p.title, p.host_id,"
        " coalesce(s.image, p.images[1]) AS image_url"
        " FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = $1",
        sku_id,
    )
    if sku is None:
        raise ValueError(f"prize SKU {sku_id} is gone")
    order = await conn.fetchrow(
        "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount,"
        " pay_amount, refunded_amount, room_id, session_id, address, note, payment_deadline,"
        " paid_at, payment_method, points_used, created_at)"
        " VALUES ($1, $2, 'paid', 0, 0, 0, 0, $3, $4, $5, $6, now(), now(), $7, 0, now())"
        " RETURNING *",
        buyer_id,
        sku["host_id"],
        room_id,
        session_id,
        address,
        note,
        PRIZE_METHOD,
    )
    await conn.execute(
        "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price,"
        " quantity, amount, discount, paid_amount, refunded_amount, image_url, stock_reserved)"
        " VALUES ($1, $2, $3, $4, $5, 0, 1, 0, 0, 0, 0, $6, true)",
        order["id"],
        sku["product_id"],
        sku["id"],
        sku["title"],
        sku["name"],
        sku["image_url"],
    )
    return order
