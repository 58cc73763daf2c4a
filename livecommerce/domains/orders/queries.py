"""Reading orders: one order with its items and refunds, or a buyer's / host's page of them."""

from __future__ import annotations

import json
from typing import Literal

import msgspec
from asyncpg import Connection, Record

from livecommerce.domains.orders.schemas import AddressOnOrder, OrderItemOut, OrderOut, RefundOut
from livecommerce.infra import media
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode


def not_found(order_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no order {order_id}")


def _item(row: Record) -> OrderItemOut:
    return OrderItemOut(
        id=row["id"],
        product_id=row["product_id"],
        sku_id=row["sku_id"],
        title=row["title"],
        sku_name=row["sku_name"],
        unit_price=row["unit_price"],
        quantity=row["quantity"],
        amount=row["amount"],
        discount=row["discount"],
        paid_amount=row["paid_amount"],
        refunded_amount=row["refunded_amount"],
        image_url=row["image_url"],
        thumb_url=media.thumb_url_or_none(row["image_url"]),
    )


def _json(value: object) -> object:
    """A JSONB value as asyncpg hands it over (text, without a codec) or already decoded."""
    return json.loads(value) if isinstance(value, str) else value


def address_on_order(value: object) -> AddressOnOrder | None:
    """The order's address copy (orders.address); older copies have only name, phone and line."""
    data = _json(value)
    return msgspec.convert(data, AddressOnOrder) if isinstance(data, dict) else None


def _refund(row: Record) -> RefundOut:
    allocation = row["allocation"]
    photos = list(row.get("photos") or [])
    return RefundOut(
        id=row["id"],
        order_id=row["order_id"],
        amount=row["amount"],
        reason=row["reason"],
        status=row["status"],
        allocation=json.loads(allocation)
        if isinstance(allocation, str)
        else dict(allocation or {}),
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        requested_amount=row["requested_amount"] or row["amount"],
        decision_reason=row["decision_reason"],
        reason_code=row.get("reason_code") or "",
        quantities=msgspec.convert(_json(row.get("quantities")) or {}, dict[str, int]),
        photos=photos,
        photo_thumbs=[media.thumb_url(url) for url in photos],
    )


async def orders_out(conn: Connection, rows: list[Record]) -> list[OrderOut]:
    ids = [row["id"] for row in rows]
    items: dict[int, list[OrderItemOut]] = {i: [] for i in ids}
    refunds: dict[int, list[RefundOut]] = {i: [] for i in ids}
    for row in await conn.fetch(
        "SELECT * FROM order_items WHERE order_id = ANY($1::int[]) ORDER BY id", ids
    ):
        items[row["order_id"]].append(_item(row))
    for row in await conn.fetch(
        "SELECT * FROM refunds WHERE order_id = ANY($1::int[]) ORDER BY id", ids
    ):
        refunds[row["order_id"]].append(_refund(row))
    # orders.coupon_id holds the claimed copy; the coupon it is of comes from the copy.
    copies = [row["coupon_id"] for row in rows if row["coupon_id"] is not None]
    coupon_of: dict[int, int] = {
        row["id"]: row["coupon_id"]
        for row in (
            await conn.fetch(
                "SELECT id, coupon_id FROM user_coupons WHERE id = ANY($1::int[])", copies
            )
            if copies
            else []
        )
    }
    return [
        OrderOut(
            id=row["id"],
            status=row["status"],
            buyer_id=row["buyer_id"],
            host_id=row["host_id"],
            total_amount=row["total_amount"],
            discount_amount=row["discount_amount"],
            pay_amount=row["pay_amount"],
            refunded_amount=row["refunded_amount"],
            payment_method=row["payment_method"],
            room_id=row["room_id"],
            session_id=row["session_id"],
            user_coupon_id=row["coupon_id"],
            coupon_id=coupon_of.get(row["coupon_id"]),
            note=row["note"],
            payment_deadline=row["payment_deadline"],
            paid_at=row["paid_at"],
            shipped_at=row["shipped_at"],
            tracking_no=row["tracking_no"],
            received_at=row["received_at"],
            after_sales_until=row["after_sales_until"],
            completed_at=row["completed_at"],
            cancelled_at=row["cancelled_at"],
            cancel_reason=row["cancel_reason"],
            created_at=row["created_at"],
            items=items[row["id"]],
            refunds=refunds[row["id"]],
            carrier=row["carrier"],
            address=address_on_order(row.get("address")),
            points_used=row.get("points_used") or 0,
            points_discount=row.get("points_discount") or 0,
            held_by=row.get("held_by"),
        )
        for row in rows
    ]


async def order_out(conn: Connection, order_id: int) -> OrderOut:
    rows = await conn.fetch("SELECT * FROM orders WHERE id = $1", order_id)
    if not rows:
        raise not_found(order_id)
    return (await orders_out(conn, rows))[0]


async def visible_order(conn: Connection, order_id: int, actor: Actor) -> OrderOut:
    """The order if the actor is its buyer, its host or an admin; someone else's order is 404."""
    order = await order_out(conn, order_id)
    if actor.id not in (order.buyer_id, order.host_id) and not actor.is_admin:
        raise not_found(order_id)
    return order


Side = Literal["buyer", "host"]

# The column naming each side of an order: the SQL below takes its column from here only.
_OWNER_COLUMN: dict[Side, str] = {"buyer": "buyer_id", "host": "host_id"}


async def page(
    conn: Connection,
    *,
    side: Side,
    user_id: int,
    status: str | None,
    cursor: int | None,
    limit: int,
) -> tuple[list[OrderOut], int | None]:
    """A page of the orders `user_id` bought (side "buyer") or sells (side "host")."""
    column = _OWNER_COLUMN.get(side)
    if column is None:
        raise ValueError(f"no order page for side {side!r}")
    rows = await conn.fetch(
        f"SELECT * FROM orders WHERE {column} = $1 AND ($2::text IS NULL OR status = $2)"
        " AND ($3::int IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
        user_id,
        status,
        cursor,
        limit + 1,
    )
    orders = await orders_out(conn, rows[:limit])
    return orders, (orders[-1].id if len(rows) > limit else None)
