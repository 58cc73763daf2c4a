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


# Member points (not money): a member's available and frozen points with one host are accounts
# of kinds `pts:{host}` / `ptf:{host}`, issued from the host's `points_issuer` account (derived
# balance, may go negative: minus the points outstanding). Money reports skip POINTS_KINDS.
POINTS_ISSUER = "points_issuer"
POINTS_KIND_PREFIXES = ("pts:", "ptf:")


def is_points_kind(kind: str) -> bool:
    """Whether an account kind holds points rather than money."""
    return kind == POINTS_ISSUER or kind.startswith(POINTS_KIND_PREFIXES)


async def points_account_ids(conn: Connection, host_id: int, user_id: int) -> tuple[int, int]:
    """(available, frozen) points accounts of `user_id` with `host_id`, created on first use."""
    kinds = [f"pts:{host_id}", f"ptf:{host_id}"]
    await conn.execute(
        "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at)"
        " SELECT $1, k, 0, false, false, now() FROM unnest($2::text[]) k"
        " ON CONFLICT (user_id, kind) DO NOTHING",
        user_id,
        kinds,
    )
    rows = await conn.fetch(
        "SELECT id, kind FROM accounts WHERE user_id = $1 AND kind = ANY($2::text[])",
        user_id,
        kinds,
    )
    ids = {row["kind"]: int(row["id"]) for row in rows}
    return ids[kinds[0]], ids[kinds[1]]


async def points_issuer_id(conn: Connection, host_id: int) -> int:
    """The host's points issuing account (derived balance, allowed negative), created on first use:
    earning moves points out of it, spending moves them back."""
    await conn.execute(
        "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at)"
        " VALUES ($1, $2, 0, true, true, now()) ON CONFLICT (user_id, kind) DO NOTHING",
        host_id,
        POINTS_ISSUER,
    )
    return int(
        await conn.fetchval(
            "SELECT id FROM accounts WHERE user_id = $1 AND kind = $2", host_id, POINTS_ISSUER
        )
    )


async def points_balances(conn: Connection, host_id: int, user_id: int) -> tuple[int, int]:
    """(available, frozen) points of `user_id` with `host_id`; zeros before any were earned."""
    rows = await conn.fetch(
        "SELECT kind, balance FROM accounts WHERE user_id = $1 AND kind = ANY($2::text[])",
        user_id,
        [f"pts:{host_id}", f"ptf:{host_id}"],
    )
    found = {row["kind"]: int(row["balance"]) for row in rows}
    return found.get(f"pts:{host_id}", 0), found.get(f"ptf:{host_id}", 0)


async def points_holdings(conn: Connection, user_id: int) -> dict[int, tuple[int, int]]:
    """{host id: (available, frozen)} of every host `user_id` holds points accounts with."""
    rows = await conn.fetch(
        "SELECT kind, balance FROM accounts WHERE user_id = $1"
        " AND (kind LIKE 'pts:%' OR kind LIKE 'ptf:%')",
        user_id,
    )
    found: dict[int, list[int]] = {}
    for row in rows:
        pair = found.setdefault(int(row["kind"][4:]), [0, 0])
        pair[0 if row["kind"].startswith("pts:") else 1] = int(row["balance"])
    return {host: (pair[0], pair[1]) for host, pair in found.items()}


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
    found: dict[Kind, int] = {}
    for row in rows:
        if not is_points_kind(row["kind"]):
            # A bucketed kind's buckets (ledger/buckets.py: `escrow.7`) add up to its balance.
            kind = Kind(row["kind"].partition(".")[0])
            found[kind] = found.get(kind, 0) + int(row["balance"])
    return found


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
