"""Posting to the double-entry ledger. Every money movement in the system comes through `post`.

- One business event, one ledger transaction, keyed by a unique business key: a repeat is a no-op.
- Entries sum to zero (checked here, and again by a deferred trigger at commit).
- Balances move by conditional UPDATE: a tracked balance never goes below zero unless the
  account allows it; the whole transaction rolls back otherwise.
- Lock order: accounts are updated in ascending id order, so two postings never deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum

from asyncpg import Connection

from livecommerce.infra.errors import DomainError, ErrorCode


class Kind(StrEnum):
    WALLET = "wallet"  # a user's spendable balance
    HELD = "held"  # a user's funds held by a pending withdrawal
    ESCROW = "escrow"  # a host's takings, until the order's after-sales window closes
    RECEIVABLE = "receivable"  # a host's settled takings
    # platform: red packets sent and not yet grabbed or refunded (derived balance: every grab
    # touches it; each packet's own rows bound what it may pay out)
    RED_PACKET = "red_packet"
    GATEWAY = "gateway"  # platform: money at the payment providers (derived balance)
    REVENUE = "revenue"  # platform: fees earned (derived balance)


PLATFORM_KINDS = {Kind.GATEWAY, Kind.REVENUE, Kind.RED_PACKET}


async def account_id(conn: Connection, user_id: int | None, kind: Kind) -> int:
    """The account of `user_id` (None: the platform) and `kind`, created on first use."""
    found = await conn.fetchval(
        "SELECT id FROM accounts WHERE user_id IS NOT DISTINCT FROM $1 AND kind = $2", user_id, kind.value
    )
    if found is not None:
        return int(found)
    platform = kind in PLATFORM_KINDS
    await conn.execute(
        "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at)"
        " VALUES ($1, $2, 0, $3, $3, now()) ON CONFLICT (user_id, kind) DO NOTHING",
        user_id, kind.value, platform,
    )
    return int(await conn.fetchval(
        "SELECT id FROM accounts WHERE user_id IS NOT DISTINCT FROM $1 AND kind = $2", user_id, kind.value
    ))


def _merge(legs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    totals: dict[int, int] = defaultdict(int)
    for account, amount in legs:
        totals[account] += amount
    return sorted((account, amount) for account, amount in totals.items() if amount != 0)


async def post(conn: Connection, business_key: str, kind: str, legs: Iterable[tuple[int, int]]) -> int | None:
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
        business_key, kind,
    )
    if txn_id is None:
        return None
    entries = []
    for account, amount in merged:
        balance_after = await conn.fetchval(
            "UPDATE accounts SET balance = balance + $2"
            " WHERE id = $1 AND NOT derived_balance AND (allow_negative OR balance + $2 >= 0)"
            " RETURNING balance",
            account, amount,
        )
        if balance_after is None:
            row = await conn.fetchrow("SELECT derived_balance, balance FROM accounts WHERE id = $1", account)
            if row is None:
                raise ValueError(f"no ledger account {account}")
            if not row["derived_balance"]:
                raise DomainError(
                    ErrorCode.INSUFFICIENT_BALANCE, status=409,
                    detail=f"the balance is {row['balance']} fen; {-amount} fen are needed",
                )
        entries.append((txn_id, account, amount, balance_after))
    await conn.executemany(
        "INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at) VALUES ($1, $2, $3, $4, now())",
        entries,
    )
    return int(txn_id)


async def balance(conn: Connection, account: int) -> int:
    """A tracked account's balance column, or the sum of a derived account's entries."""
    row = await conn.fetchrow("SELECT derived_balance, balance FROM accounts WHERE id = $1", account)
    if row is None:
        return 0
    if not row["derived_balance"]:
        return int(row["balance"])
    return int(await conn.fetchval("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = $1", account))
