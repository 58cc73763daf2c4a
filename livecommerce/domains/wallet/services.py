"""A user's view of the ledger: balances and the statement, each line in words (labels.py).
Adding money (a top-up) is a payment (payments/topups.py); the wallet only reads."""

from __future__ import annotations

from asyncpg import Connection

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.wallet import labels
from livecommerce.domains.wallet.schemas import EntryOut, EntryPage, WalletOut
from livecommerce.infra import db


async def wallet(user_id: int) -> WalletOut:
    async with db.connection() as conn:
        balances = await ledger.balances_of(conn, user_id)
    return WalletOut(
        currency="CNY",
        available=balances.get(Kind.WALLET, 0),
        held=balances.get(Kind.HELD, 0),
        escrow=balances.get(Kind.ESCROW, 0),
        receivable=balances.get(Kind.RECEIVABLE, 0),
    )


async def _orders_of(
    conn: Connection, payment_ids: set[int], refund_ids: set[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """The orders of these payments and refunds ({payment id: order id}, {refund id: order
    id}): read by id from the payments and refunds tables, the only facts beyond the ledger a
    statement line needs to say which order it was."""
    payments = await conn.fetch(
        "SELECT id, order_id FROM payments WHERE id = ANY($1::int[]) AND order_id IS NOT NULL",
        sorted(payment_ids),
    )
    refunds = await conn.fetch(
        "SELECT id, order_id FROM refunds WHERE id = ANY($1::int[])", sorted(refund_ids)
    )
    return (
        {row["id"]: row["order_id"] for row in payments},
        {row["id"]: row["order_id"] for row in refunds},
    )


async def entries(user_id: int, cursor: int | None, limit: int) -> EntryPage:
    async with db.connection() as conn:
        fetched = await ledger.entries_of(conn, user_id, cursor, limit + 1)
        more, rows = len(fetched) > limit, fetched[:limit]
        described = [
            labels.describe(row["kind"], row["business_key"], row["account_kind"]) for row in rows
        ]
        by_payment, by_refund = await _orders_of(
            conn,
            {d.payment_id for d in described if d.payment_id is not None},
            {d.refund_id for d in described if d.refund_id is not None},
        )
    items = []
    for row, d in zip(rows, described, strict=True):
        order_id = (
            d.order_id or by_payment.get(d.payment_id or 0) or by_refund.get(d.refund_id or 0)
        )
        items.append(
            EntryOut(
                **dict(row),
                category=d.category,
                order_id=order_id,
                label=labels.label(d.category, order_id),
            )
        )
    return EntryPage(items=items, next_cursor=items[-1].id if more else None)
