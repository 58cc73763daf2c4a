"""Posting to the double-entry ledger. Every money movement in the system comes through here.

- One business event, one ledger transaction, keyed by a unique business key: a repeat is a no-op.
- Entries sum to zero (checked here, and again by a deferred trigger at commit).
- Balances move by conditional UPDATE: a tracked balance never goes below zero unless the
  account allows it; the whole transaction rolls back otherwise.
- Lock order: accounts are updated in ascending id order, so two postings never deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from asyncpg import Connection

from livecommerce.infra.errors import DomainError, ErrorCode


def _merge(legs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    totals: dict[int, int] = defaultdict(int)
    for account, amount in legs:
        totals[account] += amount
    return sorted((account, amount) for account, amount in totals.items() if amount != 0)


async def post(
    conn: Connection, business_key: str, kind: str, legs: Iterable[tuple[int, int]]
) -> int | None:
    """Post one balanced transaction inside the caller's DB transaction.

    Returns the ledger transaction id, or None when `business_key` was already posted
    (the caller's event already happened: do nothing twice).
    """
    merged = _merge(legs)
    if not merged or sum(amount for _, amount in merged) != 0:
        raise ValueError(f"ledger transaction {business_key} does not balance: {merged}")
    txn_id = await conn.fetchval(
        "INSERT INTO ledger_transactions (business_key, kind, created_at) VALUES ($1, $2, now())"
        " ON CONFLICT (business_key) DO NOTHING RETURNING id",
        business_key,
        kind,
    )
    if txn_id is None:
        return None
    entries = []
    for account, amount in merged:
        balance_after = await conn.fetchval(
            "UPDATE accounts SET balance = balance + $2"
            " WHERE id = $1 AND NOT derived_balance AND (allow_negative OR balance + $2 >= 0)"
            " RETURNING balance",
            account,
            amount,
        )
        if balance_after is None:
            row = await conn.fetchrow(
                "SELECT derived_balance, balance FROM accounts WHERE id = $1", account
            )
            if row is None:
                raise ValueError(f"no ledger account {account}")
            if not row["derived_balance"]:
                raise DomainError(
                    ErrorCode.INSUFFICIENT_BALANCE,
                    detail=f"the balance is {row['balance']} fen; {-amount} fen are needed",
                )
        entries.append((txn_id, account, amount, balance_after))
    await conn.executemany(
        "INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at)"
        " VALUES ($1, $2, $3, $4, now())",
        entries,
    )
    return int(txn_id)


async def post_many(
    conn: Connection, kind: str, postings: list[tuple[str, list[tuple[int, int]]]]
) -> list[str]:
    """Post many balanced transactions in four statements whatever their number
    (a batch job's chunk).

    The same rules as `post`: each transaction sums to zero and is keyed (a key already posted is
    skipped; the posted keys are returned), tracked balances never go below zero unless allowed
    (the whole DB transaction fails with insufficient_balance), and tracked accounts are locked in
    ascending id order first, so a batch never deadlocks with `post` or with another batch.
    """
    merged = [(key, _merge(legs)) for key, legs in postings]
    for key, legs in merged:
        if not legs or sum(amount for _, amount in legs) != 0:
            raise ValueError(f"ledger transaction {key} does not balance: {legs}")
    if not merged:
        return []
    rows = await conn.fetch(
        "INSERT INTO ledger_transactions (business_key, kind, created_at)"
        " SELECT k, $2, now() FROM unnest($1::text[]) k"
        " ON CONFLICT (business_key) DO NOTHING RETURNING id, business_key",
        [key for key, _ in merged],
        kind,
    )
    txn_of = {row["business_key"]: int(row["id"]) for row in rows}
    kept = [(txn_of[key], legs) for key, legs in merged if key in txn_of]
    if not kept:
        return []
    totals: dict[int, int] = defaultdict(int)
    for _, legs in kept:
        for account, amount in legs:
            totals[account] += amount
    tracked = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM accounts"
            " WHERE id = ANY($1::int[]) AND NOT derived_balance ORDER BY id FOR UPDATE",
            sorted(totals),
        )
    ]
    final: dict[int, int] = {}
    if tracked:
        updated = await conn.fetch(
            "UPDATE accounts a SET balance = a.balance + d.amount"
            " FROM unnest($1::int[], $2::bigint[]) AS d(id, amount)"
            " WHERE a.id = d.id AND (a.allow_negative OR a.balance + d.amount >= 0)"
            " RETURNING a.id, a.balance",
            tracked,
            [totals[a] for a in tracked],
        )
        final = {row["id"]: int(row["balance"]) for row in updated}
        short = [a for a in tracked if a not in final]
        if short:
            balance = await conn.fetchval("SELECT balance FROM accounts WHERE id = $1", short[0])
            raise DomainError(
                ErrorCode.INSUFFICIENT_BALANCE,
                detail=f"the balance is {balance} fen; {-totals[short[0]]} fen are needed",
            )
    # balance_after of each entry: walk each tracked account's entries back from its final balance.
    entries = [(txn, account, amount) for txn, legs in kept for account, amount in legs]
    after: list[int | None] = [None] * len(entries)
    running = dict(final)
    for i in range(len(entries) - 1, -1, -1):
        _, account, amount = entries[i]
        if account in running:
            after[i] = running[account]
            running[account] -= amount
    await conn.execute(
        "INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at)"
        " SELECT t, a, m, b, now()"
        " FROM unnest($1::int[], $2::int[], $3::bigint[], $4::bigint[]) AS e(t, a, m, b)",
        [e[0] for e in entries],
        [e[1] for e in entries],
        [e[2] for e in entries],
        after,
    )
    return [key for key, _ in merged if key in txn_of]
