"""Points at checkout: spent when the order is placed (OrderHooks.placed, after the member price
and the coupon, so the cap is a share of what is still due), given back if it is cancelled
unpaid (OrderHooks.cancelled). Refunds are points_refunds.py.

Spending is one ledger posting (available -> the host's issuer) whose conditional UPDATE refuses
to take the member's available points below zero: of concurrent orders spending the same points
exactly the affordable ones succeed, the others are refused as a whole (their stock and coupon go
back with their rolled-back transaction). Frozen points are another account, never spent here.
"""

from __future__ import annotations

from asyncpg import Record

from livecommerce.domains import ledger
from livecommerce.domains.members import points
from livecommerce.domains.members.points_rules import max_discount, most_points, redeem
from livecommerce.domains.orders import services as orders
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode


def _insufficient(available: int, asked: int) -> DomainError:
    return DomainError(
        ErrorCode.POINTS_INSUFFICIENT,
        detail=f"you have {available} points to spend with this host; {asked} were asked",
        available=available,
        points=asked,
    )


async def spend_points(tx: Tx, order: Record, items: list[Record]) -> None:
    """OrderHooks.placed: spend the points the order asks for (`orders.points_used` as placed),
    take the discount they buy, and keep on the order what was charged and taken off."""
    asked = order["points_used"]
    if not asked:
        return
    conn = tx.conn
    host_id, buyer_id, order_id = order["host_id"], order["buyer_id"], order["id"]
    rules = await points.rules_of(conn, host_id)
    have = await points.balances(conn, host_id, buyer_id)
    if asked > have.available:
        raise _insufficient(have.available, asked)
    due = await conn.fetchval("SELECT pay_amount FROM orders WHERE id = $1", order_id)
    bought = redeem(asked, rules)
    if bought.discount > max_discount(due, rules.cap_bp):
        most = redeem(most_points(due, rules), rules)
        raise DomainError(
            ErrorCode.POINTS_OVER_CAP,
            detail=f"points may take at most {most.discount} fen off this order"
            f" ({most.points} points)",
            maxPoints=most.points,
            maxDiscount=most.discount,
            points=asked,
        )
    if bought.points > 0:
        available, _, issuer = await points.member_accounts(conn, host_id, buyer_id)
        try:
            await ledger.post(
                conn,
                f"points:order:{order_id}:spend",
                points.TXN_KIND,
                [(available, -bought.points), (issuer, bought.points)],
            )
        except DomainError as exc:
            # Another order spent them since the balance was read: the ledger refused.
            if exc.code != ErrorCode.INSUFFICIENT_BALANCE:
                raise
            now = await points.balances(conn, host_id, buyer_id)
            raise _insufficient(now.available, asked) from None
        await orders.apply_discount(conn, order_id, bought.discount)
    await conn.execute(
        "UPDATE orders SET points_used = $2, points_discount = $3 WHERE id = $1",
        order_id,
        bought.points,
        bought.discount,
    )


async def return_points(tx: Tx, order: Record) -> None:
    """OrderHooks.cancelled: the points an unpaid order spent are the member's again."""
    spent = order["points_used"]
    if not spent:
        return
    available, _, issuer = await points.member_accounts(
        tx.conn, order["host_id"], order["buyer_id"]
    )
    await ledger.post(
        tx.conn,
        f"points:order:{order['id']}:return",
        points.TXN_KIND,
        [(issuer, -spent), (available, spent)],
    )
