"""Paying due commissions into wallets, in batches, exactly once; and clawing back settled ones.

Why a batch job and not a credit at each order's completion: a popular distributor earns on
thousands of orders; crediting their wallet inside every completion would queue those
completions on one row. Completion instead credits the platform's clearing account (derived
balance: no row to lock) and this job moves due commissions to wallets, a chunk at a time.

Exactly once, also when run twice at the same time or killed midway: a chunk is one DB
transaction that flips `due -> settled` (rows picked FOR UPDATE SKIP LOCKED, so concurrent runs
take disjoint chunks) and posts the ledger transactions of that chunk, one per distributor,
keyed `commission-settle:{distributor}:{first commission id}` (a commission settles once, so
the key of the batch that holds it can't recur). Killed before COMMIT, the chunk never happened.
"""

from __future__ import annotations

from collections import defaultdict

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.distribution.rules import (
    DistributionConfig,
    clawback_split,
    net,
    repayment_split,
)
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db

CHUNK = 1000


async def settle_chunk(conn: Connection, limit: int = CHUNK) -> int:
    """Settle up to `limit` due commissions in the caller's transaction; returns how many."""
    rows = await conn.fetch(
        "UPDATE commissions c SET status = 'settled', settled_at = now()"
        " FROM (SELECT id FROM commissions WHERE status = 'due'"
        " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) picked"
        " WHERE c.id = picked.id RETURNING c.id, c.distributor_id, c.amount, c.reversed_amount",
        limit,
    )
    if not rows:
        return 0
    owed_to: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    for row in rows:
        owed_to[row["distributor_id"]] += net(row["amount"], row["reversed_amount"])
        first[row["distributor_id"]] = min(first.get(row["distributor_id"], row["id"]), row["id"])
    payees = sorted(d for d, amount in owed_to.items() if amount > 0)
    if not payees:
        return len(rows)
    clearing = await ledger.account_id(conn, None, Kind.COMMISSION)
    wallets = await ledger.account_ids(conn, payees, Kind.WALLET)
    # Debts from clawbacks are repaid first out of new commissions (carry_debt policy).
    debts = await ledger.negative_balances(conn, payees, Kind.DEBT)
    postings = []
    for distributor in payees:
        amount = owed_to[distributor]
        legs = [(clearing, -amount)]
        debt_account, debt_balance = debts.get(distributor, (0, 0))
        repay, pay = repayment_split(amount, -debt_balance)
        if repay:
            legs.append((debt_account, repay))
        if pay:
            legs.append((wallets[distributor], pay))
        postings.append((f"commission-settle:{distributor}:{first[distributor]}", legs))
    posted = await ledger.post_many(conn, "commission", postings)
    if len(posted) != len(postings):
        # A key already posted means these commissions were paid before: refuse to mark them again.
        already = sorted({key for key, _ in postings} - set(posted))
        raise RuntimeError(f"commission settlement keys already posted: {already[:5]}")
    return len(rows)


async def settle_due(limit: int = CHUNK, max_chunks: int | None = None) -> int:
    """Settle every due commission, a chunk per transaction; returns how many were settled."""
    total, chunks = 0, 0
    while max_chunks is None or chunks < max_chunks:
        async with db.transaction() as tx:
            conn = tx.conn
            done = await settle_chunk(conn, limit)
        if done == 0:
            break
        total += done
        chunks += 1
    return total


async def claw_back(
    conn: Connection, settings: DistributionConfig, commission: Record, owed: int, target: int
) -> str:
    """Take `owed` fen of a settled commission back for the host, per the clawback policy;
    returns what happened, for the commission's reversal reason."""
    distributor = commission["distributor_id"]
    wallet = await ledger.account_id(conn, distributor, Kind.WALLET)
    balance = await ledger.lock_balance(conn, wallet)
    taken, debt, forgiven = clawback_split(settings.clawback_policy, owed, balance)
    receivable = await ledger.account_id(
        conn, (await _host_of(conn, commission["order_id"])), Kind.RECEIVABLE
    )
    legs = [(receivable, taken + debt)]
    if taken:
        legs.append((wallet, -taken))
        if settings.clawback_policy == "allow_negative":
            await ledger.allow_negative(conn, wallet)
    if debt:
        debt_account = await ledger.account_id(conn, distributor, Kind.DEBT)
        await ledger.allow_negative(conn, debt_account)
        legs.append((debt_account, -debt))
    if taken + debt:
        await ledger.post(
            conn, f"commission:{commission['id']}:clawback:{target}", "commission_clawback", legs
        )
    return (
        f"; clawed back {taken} fen from the wallet"
        + (f", {debt} fen as debt" if debt else "")
        + (f", {forgiven} fen forgiven (capped at the balance)" if forgiven else "")
    )


async def _host_of(conn: Connection, order_id: int) -> int:
    host = await conn.fetchval("SELECT host_id FROM orders WHERE id = $1", order_id)
    if host is None:
        raise LookupError(f"commission of a missing order {order_id}")
    return int(host)
