"""Which of the host's escrow buckets holds an order's money (ledger/buckets.py).

A payment for an order credits the bucket of the order's id, so concurrent buyers of one host
lock different rows. Everything that takes the order's money out again (the payment returned,
a refund, the settlement) debits the bucket the order's payment went into, found in the ledger:
the bucket never goes below zero, and orders paid before buckets existed (bucket 0) settle from
where their money is.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.ledger import Kind
from livecommerce.domains.ledger.buckets import bucket_account_id, kind_sql


async def escrow_to_credit(conn: Connection, order: Record) -> int:
    """The escrow bucket a payment for `order` goes into."""
    return await bucket_account_id(conn, order["host_id"], Kind.ESCROW, order["id"])


async def escrow_holding(conn: Connection, order: Record) -> int:
    """The escrow bucket holding `order`'s paid money (where its succeeded payment went)."""
    found = await conn.fetchval(
        "SELECT e.account_id FROM payments p"
        " JOIN ledger_transactions t ON t.business_key = 'payment:' || p.id"
        " JOIN ledger_entries e ON e.txn_id = t.id JOIN accounts a ON a.id = e.account_id"
        " WHERE p.order_id = $1 AND p.status = 'succeeded' AND a.user_id = $2 AND e.amount > 0"
        " AND " + kind_sql("a.kind").replace("$k", "$3") + " ORDER BY p.id DESC LIMIT 1",
        order["id"],
        order["host_id"],
        Kind.ESCROW.value,
    )
    if found is not None:
        return int(found)
    return await escrow_to_credit(conn, order)
