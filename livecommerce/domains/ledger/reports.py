"""Reading the ledger for the operator's reports: totals by account kind, movements by day.

Read-only (the ledger's tables are written by posting.py alone); figures in fen. A derived
account's balance is the sum of its entries, a tracked one's is its balance column, which the
posting keeps equal to its entries' sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from asyncpg import Connection

from livecommerce.domains.ledger.accounts import POINTS_ISSUER, Kind


async def totals_by_kind(conn: Connection) -> dict[Kind, int]:
    """The sum of every account's balance, by kind (kinds never opened are absent)."""
    rows = await conn.fetch(
        # A bucketed kind's buckets (ledger/buckets.py: `escrow.7`) count as the kind.
        "SELECT split_part(a.kind, '.', 1) AS kind, SUM(CASE WHEN a.derived_balance THEN COALESCE("
        "(SELECT SUM(e.amount) FROM ledger_entries e WHERE e.account_id = a.id), 0)"
        " ELSE a.balance END)::bigint AS total FROM accounts a"
        # Member points are ledger balances too, but not money (accounts.is_points_kind).
        " WHERE a.kind <> $1 AND a.kind NOT LIKE 'pts:%' AND a.kind NOT LIKE 'ptf:%'"
        " GROUP BY 1",
        POINTS_ISSUER,
    )
    return {Kind(row["kind"]): int(row["total"]) for row in rows}


async def daily_movements(
    conn: Connection,
    kind: Kind,
    start: datetime,
    end: datetime,
    timezone: str,
    txn_kinds: Sequence[str] | None = None,
) -> dict[date, int]:
    """{day: the net of the entries on accounts of `kind`} for entries in [start, end), the day
    taken in `timezone`; only transactions of `txn_kinds` when given."""
    rows = await conn.fetch(
        "SELECT (e.created_at AT TIME ZONE $4)::date AS day, SUM(e.amount)::bigint AS total"
        " FROM ledger_entries e JOIN accounts a ON a.id = e.account_id"
        " JOIN ledger_transactions t ON t.id = e.txn_id"
        # A bucketed kind's buckets (ledger/buckets.py: `escrow.7`) count as the kind.
        " WHERE (a.kind = $1 OR a.kind LIKE $1 || '.%')"
        " AND e.created_at >= $2 AND e.created_at < $3"
        " AND ($5::text[] IS NULL OR t.kind = ANY($5::text[]))"
        " GROUP BY day",
        kind.value,
        start,
        end,
        timezone,
        list(txn_kinds) if txn_kinds is not None else None,
    )
    return {row["day"]: int(row["total"]) for row in rows}


async def balances_of_users(
    conn: Connection, user_ids: Sequence[int], kinds: Sequence[Kind]
) -> dict[tuple[int, Kind], int]:
    """{(user, kind): balance} of tracked accounts, for many users at once (absent: never opened,
    so zero)."""
    rows = await conn.fetch(
        "SELECT user_id, kind, balance FROM accounts"
        " WHERE user_id = ANY($1::int[]) AND kind = ANY($2::text[])",
        sorted(set(user_ids)),
        [kind.value for kind in kinds],
    )
    return {(row["user_id"], Kind(row["kind"])): int(row["balance"]) for row in rows}
