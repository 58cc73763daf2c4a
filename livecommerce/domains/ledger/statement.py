"""A user's statement: the entries on their accounts, newest first."""

from __future__ import annotations

from asyncpg import Connection, Record


async def entries_of(
    conn: Connection, user_id: int, cursor: int | None, limit: int
) -> list[Record]:
    """Up to `limit` entries (id, account_kind, amount, balance_after, kind, business_key,
    created_at) below `cursor`, newest first."""
    return list(
        await conn.fetch(
            "SELECT e.id, a.kind AS account_kind, e.amount, e.balance_after, t.kind,"
            " t.business_key, e.created_at"
            " FROM ledger_entries e JOIN accounts a ON a.id = e.account_id"
            " JOIN ledger_transactions t ON t.id = e.txn_id"
            " WHERE a.user_id = $1 AND ($2::int IS NULL OR e.id < $2)"
            " ORDER BY e.id DESC LIMIT $3",
            user_id,
            cursor,
            limit,
        )
    )
