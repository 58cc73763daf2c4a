"""The ledger's laws checked in SQL, for the benches and the tests (any asyncpg connection).

Double entry holds when every ledger transaction has entries that sum to zero (so all entries
do), and every tracked account's `balance` column equals the sum of its entries (a derived
account has no column that could drift).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Transactions whose entries do not sum to zero, or that have none.
_UNBALANCED = (
    "SELECT t.business_key, COALESCE(SUM(e.amount), 0) AS total FROM ledger_transactions t"
    " LEFT JOIN ledger_entries e ON e.txn_id = t.id GROUP BY t.id"
    " HAVING COALESCE(SUM(e.amount), 0) <> 0 OR count(e.id) = 0 ORDER BY t.id"
)
# Tracked accounts whose balance column is not the sum of their entries.
_DRIFTED = (
    "SELECT a.id, a.balance, COALESCE(e.total, 0) AS entries FROM accounts a"
    " LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries GROUP BY account_id) e"
    " ON e.account_id = a.id WHERE NOT a.derived_balance AND a.balance <> COALESCE(e.total, 0)"
    " ORDER BY a.id"
)


@dataclass
class LedgerState:
    unbalanced_txns: int  # transactions whose entries do not sum to zero (or that have none)
    balances_ne_entries: int  # tracked accounts whose balance is not the sum of their entries
    balance_drift: int  # fen: the sum of |balance - entries| over those accounts
    entries_total: int  # every entry: 0 in a double-entry ledger
    problems: list[str] = field(default_factory=list)  # readable, the first few of each kind

    @property
    def balanced(self) -> bool:
        return not self.problems


async def check_ledger(conn: Any, examples: int = 20) -> LedgerState:
    unbalanced = await conn.fetch(_UNBALANCED)
    drifted = await conn.fetch(_DRIFTED)
    total = int(await conn.fetchval("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries"))
    problems = [
        f"ledger transaction {r['business_key']} sums to {r['total']}"
        for r in unbalanced[:examples]
    ]
    if len(unbalanced) > examples:
        problems.append(f"... and {len(unbalanced) - examples} more unbalanced transactions")
    if total != 0:
        problems.append(f"all ledger entries sum to {total}, not 0")
    problems += [
        f"account {r['id']} balance {r['balance']} but its entries sum to {r['entries']}"
        for r in drifted[:examples]
    ]
    if len(drifted) > examples:
        problems.append(f"... and {len(drifted) - examples} more accounts off their entries")
    return LedgerState(
        unbalanced_txns=len(unbalanced),
        balances_ne_entries=len(drifted),
        balance_drift=sum(abs(int(r["balance"]) - int(r["entries"])) for r in drifted),
        entries_total=total,
        problems=problems,
    )


async def ledger_problems(conn: Any) -> list[str]:
    """Every broken law, readable (empty: the ledger holds)."""
    return (await check_ledger(conn)).problems


async def entries_of_kind(conn: Any, kind: str) -> int:
    """The sum of the entries of every account of `kind` ('revenue', 'commission', ...)."""
    return int(
        await conn.fetchval(
            "SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e"
            " JOIN accounts a ON a.id = e.account_id WHERE a.kind = $1 OR a.kind LIKE $1 || '.%'",
            kind,
        )
    )


async def entries_by_kind(conn: Any) -> dict[str, int]:
    """{account kind: the sum of its accounts' entries}, for the kinds holding money."""
    rows = await conn.fetch(
        # A bucketed kind's buckets (`escrow.7`, livecommerce/domains/ledger/buckets.py) fold in.
        "SELECT split_part(a.kind, '.', 1) AS kind, SUM(e.amount) AS total FROM ledger_entries e"
        " JOIN accounts a ON a.id = e.account_id GROUP BY 1 HAVING SUM(e.amount) <> 0"
    )
    return {row["kind"]: int(row["total"]) for row in rows}
