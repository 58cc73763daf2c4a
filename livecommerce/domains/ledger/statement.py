"""A user's statement: the entries on their accounts, newest first."""

from __future__ import annotations

from asyncpg import Connection, Record

# The columns of a statement line, whichever accounts it reads.
_ENTRIES = (
    "SELECT e.id, a.kind AS account_kind, e.amount, e.balance_after, t.kind,"
    " t.business_key, e.created_at"
    " FROM ledger_entries e JOIN accounts a ON a.id = e.account_id"
    " JOIN ledger_transactions t ON t.id = e.txn_id"
)


async def points_entries_of(
    conn: Connection, user_id: int, host_id: int, cursor: int | None, limit: int
) -> list[Record]:
    """Up to `limit` entries on `user_id`'s points accounts with `host_id` (the same columns as
    `entries_of`, account_kind `pts:`/`ptf:`), below `cursor`, newest first."""
    return list(
        await conn.fetch(
            _ENTRIES + " WHERE a.user_id = $1 AND a.kind = ANY($2::text[])"
            " AND ($3::int IS NULL OR e.id < $3)"
            " ORDER BY e.id DESC LIMIT $4",
            user_id,
            [f"pts:{host_id}", f"ptf:{host_id}"],
            cursor,
            limit,
        )
    )


async def entries_of(
    conn: Connection, user_id: int, cursor: int | None, limit: int
) -> list[Record]:
    """Up to `limit` entries (id, account_kind, amount, balance_after, kind, business_key,
    created_at) below `cursor`, newest first."""
    return list(
        await conn.fetch(
            _ENTRIES + " WHERE a.user_id = $1 AND ($2::int IS NULL OR e.id < $2)"
            # Money only: a member's points (and a host's points issuer) have their own history.
            " AND a.kind <> 'points_issuer' AND a.kind NOT LIKE 'pts:%' AND a.kind NOT LIKE 'ptf:%'"
            " ORDER BY e.id DESC LIMIT $3",
            user_id,
            cursor,
            limit,
        )
    )
