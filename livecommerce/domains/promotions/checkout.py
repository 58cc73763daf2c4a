"""A claimed coupon at checkout: validated and priced when the order is placed, held by the
pending order, released if it is cancelled, consumed when it is paid.

All three run inside the order's own transaction (orders' hooks), so a coupon and its
order never disagree. One coupon pays for one order: holding is a conditional UPDATE
(`status = 'available'`), so of two concurrent orders naming it exactly one gets it and the
other order is refused as a whole (its stock goes back with its rolled-back transaction).
"""

from __future__ import annotations

from datetime import UTC, datetime

from asyncpg import Record

from livecommerce.domains.orders import services as orders
from livecommerce.domains.promotions.rules import (
    CouponTerms,
    Line,
    price_with_coupon,
    threshold_met,
)
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode


def _refused(code: ErrorCode, detail: str, copy_id: int) -> DomainError:
    return DomainError(code, detail=detail, userCouponId=copy_id)


def lines_in_scope(product_ids: list[int] | None, items: list[tuple[int, int]]) -> list[Line]:
    """The order's lines as a coupon sees them: (product id, amount) each, eligible when the
    coupon covers every product (no scope) or this one. Placing and quoting share it."""
    scope = set(product_ids or [])
    return [Line(amount=amount, eligible=not scope or pid in scope) for pid, amount in items]


def terms_of(coupon: Record) -> CouponTerms:
    return CouponTerms(
        kind=coupon["kind"],
        amount_off=coupon["amount_off"],
        percent_off_bp=coupon["percent_off_bp"],
        max_discount=coupon["max_discount"],
        min_spend=coupon["min_spend"],
    )


async def hold_coupon(tx: Tx, order: Record, items: list[Record]) -> None:
    """OrderHooks.placed: check the buyer's coupon against the order, take the discount, hold
    the coupon."""
    conn = tx.conn
    copy_id = order["coupon_id"]
    if copy_id is None:
        return
    held = await conn.fetchrow(
        "UPDATE user_coupons SET status = 'held', order_id = $3"
        " WHERE id = $1 AND user_id = $2 AND status = 'available' RETURNING *",
        copy_id,
        order["buyer_id"],
        order["id"],
    )
    if held is None:
        owner = await conn.fetchval("SELECT user_id FROM user_coupons WHERE id = $1", copy_id)
        if owner != order["buyer_id"]:
            raise _refused(ErrorCode.NOT_FOUND, f"you have no coupon {copy_id}", copy_id)
        raise _refused(
            ErrorCode.COUPON_UNAVAILABLE,
            "this coupon is already used or held by another order",
            copy_id,
        )
    now = datetime.now(UTC)
    if now < held["valid_from"]:
        raise _refused(
            ErrorCode.COUPON_NOT_YET_VALID,
            f"this coupon can be used from {held['valid_from'].isoformat()}",
            copy_id,
        )
    if now >= held["valid_until"]:
        raise _refused(ErrorCode.COUPON_EXPIRED, "this coupon has expired", copy_id)
    coupon = await conn.fetchrow("SELECT * FROM coupons WHERE id = $1", held["coupon_id"])
    if coupon["host_id"] != order["host_id"]:
        raise _refused(
            ErrorCode.COUPON_NOT_APPLICABLE, "this coupon is for another host's products", copy_id
        )
    # What is still to pay on each item: a member price (a hook before this one) comes first.
    items = await conn.fetch(
        "SELECT id, product_id, paid_amount AS amount FROM order_items WHERE order_id = $1"
        " ORDER BY id",
        order["id"],
    )
    lines = lines_in_scope(coupon["product_ids"], [(i["product_id"], i["amount"]) for i in items])
    terms = terms_of(coupon)
    if not any(line.eligible for line in lines):
        raise _refused(
            ErrorCode.COUPON_NOT_APPLICABLE,
            "no item of this order is covered by the coupon",
            copy_id,
        )
    if not threshold_met(terms, lines):
        raise _refused(
            ErrorCode.COUPON_THRESHOLD_NOT_MET,
            f"the coupon needs {coupon['min_spend']} fen of eligible items",
            copy_id,
        )
    shares = price_with_coupon(terms, lines)
    await orders.apply_discount(
        conn,
        order["id"],
        sum(shares),
        shares={item["id"]: s for item, s in zip(items, shares, strict=True)},
    )


async def consume_coupon(tx: Tx, order: Record) -> None:
    """OrderHooks.paid: the held coupon is spent for good by this order (and no other)."""
    if order["coupon_id"] is not None:
        await tx.conn.execute(
            "UPDATE user_coupons SET status = 'used', used_at = now()"
            " WHERE id = $1 AND order_id = $2 AND status = 'held'",
            order["coupon_id"],
            order["id"],
        )


async def release_coupon(tx: Tx, order: Record) -> None:
    """OrderHooks.cancelled: the coupon is free again (still bound by its own validity)."""
    if order["coupon_id"] is not None:
        await tx.conn.execute(
            "UPDATE user_coupons SET status = 'available', order_id = NULL"
            " WHERE id = $1 AND order_id = $2 AND status = 'held'",
            order["coupon_id"],
            order["id"],
        )
