"""Ledger accounts: who owns a balance, of which kind, and the few ways other domains may touch one.

This package is the bottom layer of money: it owns the `accounts`, `ledger_transactions` and
`ledger_entries` tables. No other module reads or writes `accounts` with its own SQL; balances
move only through `posting.post` / `posting.post_many`. Dependencies point down to here, never
up: the ledger imports no domain (its tables name `users` as the owners).

Lock order: accounts by ascending id, after every business row (orders, payments, withdrawals).
"""

from __future__ import annotations

from enum import StrEnum

from asyncpg import Connection


class Kind(StrEnum):
    WALLET = "wallet"  # a user's spendable balance
    HELD = "held"  # a user's funds held by a pending withdrawal
    ESCROW = "escrow"  # a host's takings, until the order's after-sales window closes
    RECEIVABLE = "receivable"  # a host's settled takings
    PAYOUT_HELD = "payout_held"  # a host's takings held by a pending payout (payouts domain)
    # platform: red packets sent and not yet grabbed or refunded (derived balance: every grab
    # touches it; each packet's own rows bound what it may pay out)
    RED_PACKET = "red_packet"
    GATEWAY = "gateway"  # platform: money at the payment providers (derived balance)
    REVENUE = "revenue"  # platform: fees earned (derived balance)
    # platform: commissions owed to distributors, from an order's completion until the batch
    # settlement pays them into wallets (derived balance: every completion touches it)
    COMMISSION = "commission"
    DEBT = (
        "debt"  # a distributor's clawed-back commissions not yet recovered (<= 0, allow_negative)
    )


PLATFORM_KINDS = {Kind.GATEWAY, Kind.REVENUE, Kind.COMMISSION, Kind.RED_PACKET}


async def account_id(conn: Connection, user_id: int | None, kind: Kind) -> int:
    """The account of `user_id` (None: the platform) and `kind`, created on first use."""
    found = await conn.fetchval(
        "SELECT id FROM accounts WHERE user_id IS NOT DISTINCT FROM $1 AND kind = $2",
        user_id,
        kind.value,
    )
    if found is not None:
        return int(found)
    platform = kind in PLATFORM_KINDS
    await conn.execute(
        "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at)"
        " VALUES ($1, $2, 0, $3, $3, now()) ON CONFLICT (user_id, kind) DO NOTHING",
        user_id,
        kind.value,
        platform,
    )
    return int(
        await conn.fetchval(
            "SELECT id FROM accounts WHERE user_id IS NOT DISTINCT FROM $1 AND kind = $2",
            user_id,
            kind.value,
        )
    )


async def balance(conn: Connection, account: int) -> int:
    """A tracked account's balance column, or the sum of a derived account's entries."""
    row = await conn.fetchrow(
        "SELECT derived_balance, balance FROM accounts WHERE id = $1", account
    )
    if row is None:
        return 0
    if not row["derived_balance"]:
        return int(row["balance"])
    return int(
        await conn.fetchval(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = $1", account
        )
    )


async def account_ids(conn: Connection, user_ids: list[int], kind: Kind) -> dict[int, int]:
    """{user_id: account id} of `kind` for many users at once, created on first use (batch jobs)."""
    users = sorted(set(user_ids))
    await conn.execute(
        "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at)"
        " SELECT u, $2, 0, false, false, now() FROM unnest($1::int[]) u"
        " ON CONFLICT (user_id, kind) DO NOTHING",
        users,
        kind.value,
    )
    rows = await conn.fetch(
        "SELECT id, user_id FROM accounts WHERE user_id = ANY($1::int[]) AND kind = $2",
        users,
        kind.value,
    )
    return {row["user_id"]: row["id"] for row in rows}


async def lock_balance(conn: Connection, account: int) -> int:
    """Lock a tracked account's row until the end of the caller's transaction; its balance.

    For a decision that depends on the balance (a withdrawal, a clawback capped at what is
    there): the balance can't change under the decision before the posting that follows it.
    """
    found = await conn.fetchval("SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", account)
    if found is None:
        raise ValueError(f"no ledger account {account}")
    return int(found)


async def allow_negative(conn: Connection, account: int) -> None:
    """Let a tracked account go below zero from now on (a clawback policy that carries a debt)."""
    await conn.execute("UPDATE accounts SET allow_negative = true WHERE id = $1", account)


async def balances_of(conn: Connection, user_id: int) -> dict[Kind, int]:
    """Every tracked balance a user holds, by kind (kinds never opened are absent)."""
    rows = await conn.fetch("SELECT kind, balance FROM accounts WHERE user_id = $1", user_id)
    return {Kind(row["kind"]): int(row["balance"]) for row in rows}


async def negative_balances(
    conn: Connection, user_ids: list[int], kind: Kind
) -> dict[int, tuple[int, int]]:
    """{user_id: (account id, balance)} of the users whose `kind` account is below zero (debts)."""
    rows = await conn.fetch(
        "SELECT id, user_id, balance FROM accounts"
        " WHERE kind = $2 AND user_id = ANY($1::int[]) AND balance < 0",
        user_ids,
        kind.value,
    )
    return {row["user_id"]: (row["id"], int(row["balance"])) for row in rows}
