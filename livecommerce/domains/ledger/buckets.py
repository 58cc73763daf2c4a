"""Bucketed accounts: one owner's balance of one kind spread over K rows, so that no single
account row is locked by every paying buyer.

Why: a tracked account's row is locked by the posting's `UPDATE accounts SET balance = ...` until
COMMIT. A host's escrow credited by every payment to that host was one row: every buyer of the
host queued on it (164 paid checkouts/s for one host on one core, issue #20). Spread over
`BUCKETS` rows, concurrent payments of one host rarely meet.

How:
- Bucket 0 of (owner, kind) is the plain account of that kind (`escrow`, the one that existed
  before buckets); bucket b > 0 is the account of kind `escrow.b` (the same owner). They are
  ordinary tracked accounts: each keeps its balance column equal to its entries and never goes
  below zero (the posting's conditional UPDATE, the table's CHECK), so the ledger's laws hold
  per bucket and therefore for their sum.
- A movement keyed by some id (an order) credits the bucket `bucket_of(id)`. Whatever later
  takes that money out again (a refund, the settlement) debits the same account the credit went
  into, never "the owner's account": `credited_bucket` finds it from the ledger itself, so the
  bucket never goes negative and money paid before buckets existed (in bucket 0) is found too.
- Every reader of an owner's balance of a bucketed kind sums the buckets: `base_kind` folds
  `escrow.7` into `escrow` (ledger.balances_of, the reports' totals and bench/ledger_checks.py do
  it), SQL that reads by kind matches `kind = 'escrow' OR kind LIKE 'escrow.%'` (`kind_sql`).

Which kinds are bucketed: `BUCKETED` (a host's escrow today). A kind is bucketed only where money
comes in by many independent buyers and goes out by the same key it came in by; a kind that is
spent freely (a wallet) would need its spender to find a bucket holding enough, so it is not.
To credit a host without a hot row from another domain (tips, a group buy), call
`bucket_account_id(conn, host_id, Kind.ESCROW, key)` with your own key (e.g. the tip's id) and
debit the same account when the money moves on.
"""

from __future__ import annotations

from asyncpg import Connection

from livecommerce.domains.ledger.accounts import Kind

# Enough that a few hundred concurrent payers of one host rarely share a row; few enough that a
# host's balance is a sum over a handful of rows.
BUCKETS = 32
BUCKETED = frozenset({Kind.ESCROW})
SEPARATOR = "."


def bucket_of(key: int, buckets: int = BUCKETS) -> int:
    """The bucket a movement keyed by `key` (an order id, a tip id) credits."""
    return key % buckets


def bucket_kind(kind: Kind, bucket: int) -> str:
    """The account kind of `kind`'s bucket `bucket` (bucket 0: the plain kind)."""
    if kind not in BUCKETED:
        raise ValueError(f"{kind} is not a bucketed kind")
    if not 0 <= bucket < BUCKETS:
        raise ValueError(f"bucket {bucket} is outside 0..{BUCKETS - 1}")
    return kind.value if bucket == 0 else f"{kind.value}{SEPARATOR}{bucket}"


def base_kind(kind: str) -> str:
    """`escrow.7` -> `escrow`: the kind a bucket's balance counts as (other kinds unchanged)."""
    head, sep, tail = kind.partition(SEPARATOR)
    return head if sep and tail.isdigit() and head in BUCKETED else kind


def kind_sql(column: str = "kind") -> str:
    """A SQL condition on `column` matching every bucket of the kind given as the parameter it
    names `$k` (format it in: `kind_sql().replace('$k', '$2')`)."""
    return f"({column} = $k OR {column} LIKE $k || '{SEPARATOR}%')"


async def bucket_account_id(conn: Connection, user_id: int, kind: Kind, key: int) -> int:
    """The account of `user_id`'s `kind` bucket for `key`, created on first use."""
    name = bucket_kind(kind, bucket_of(key))
    found = await conn.fetchval(
        "SELECT id FROM accounts WHERE user_id = $1 AND kind = $2", user_id, name
    )
    if found is not None:
        return int(found)
    await conn.execute(
        "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at)"
        " VALUES ($1, $2, 0, false, false, now()) ON CONFLICT (user_id, kind) DO NOTHING",
        user_id,
        name,
    )
    return int(
        await conn.fetchval(
            "SELECT id FROM accounts WHERE user_id = $1 AND kind = $2", user_id, name
        )
    )


async def credited_bucket(
    conn: Connection, business_key: str, user_id: int, kind: Kind
) -> int | None:
    """The account of `user_id`'s bucketed `kind` that the ledger transaction `business_key`
    credited (e.g. `payment:42` into a host's escrow), or None when it did not."""
    found = await conn.fetchval(
        "SELECT e.account_id FROM ledger_transactions t"
        " JOIN ledger_entries e ON e.txn_id = t.id JOIN accounts a ON a.id = e.account_id"
        " WHERE t.business_key = $1 AND a.user_id = $2 AND e.amount > 0 AND "
        + kind_sql("a.kind").replace("$k", "$3")
        + " ORDER BY e.id LIMIT 1",
        business_key,
        user_id,
        kind.value,
    )
    return None if found is None else int(found)


async def bucketed_balance(conn: Connection, user_id: int, kind: Kind) -> int:
    """`user_id`'s balance of a bucketed `kind`: the sum of its buckets."""
    return int(
        await conn.fetchval(
            "SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE user_id = $1 AND "
            + kind_sql().replace("$k", "$2"),
            user_id,
            kind.value,
        )
    )
