"""Checks of the books after a fault: each returns a list of human-readable problems (empty: all good),
so a failing test names every broken order at once rather than the first."""

from __future__ import annotations

from collections.abc import Iterable

from asyncpg import Connection


async def ledger_problems(conn: Connection) -> list[str]:
    """Double entry: every ledger transaction sums to zero, has entries, and all entries sum to zero."""
    problems = [
        f"ledger transaction {row['business_key']} sums to {row['total']}"
        for row in await conn.fetch(
            "SELECT t.business_key, COALESCE(SUM(e.amount), 0) AS total FROM ledger_transactions t"
            " LEFT JOIN ledger_entries e ON e.txn_id = t.id GROUP BY t.id HAVING COALESCE(SUM(e.amount), 0) <> 0"
            " OR count(e.id) = 0 ORDER BY t.id LIMIT 20"
        )
    ]
    total = await conn.fetchval("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries")
    if total != 0:
        problems.append(f"all ledger entries sum to {total}, not 0")
    tracked = await conn.fetch(
        "SELECT a.id, a.balance, COALESCE(SUM(e.amount), 0) AS entries FROM accounts a"
        " LEFT JOIN ledger_entries e ON e.account_id = a.id WHERE NOT a.derived_balance"
        " GROUP BY a.id HAVING a.balance <> COALESCE(SUM(e.amount), 0)"
    )
    problems += [f"account {r['id']} balance {r['balance']} but its entries sum to {r['entries']}" for r in tracked]
    return problems


async def settlement_problems(conn: Connection, order_ids: Iterable[int]) -> tuple[int, int, list[str]]:
    """Each order completed with exactly one `order:{id}:settle` ledger transaction.

    Returns (settled, duplicates, problems)."""
    ids = sorted(set(order_ids))
    rows = await conn.fetch(
        "SELECT o.id, o.status, (SELECT count(*) FROM ledger_transactions t WHERE t.business_key = 'order:' || o.id || ':settle') AS n"
        " FROM orders o WHERE o.id = ANY($1::int[])",
        ids,
    )
    found = {row["id"]: row for row in rows}
    problems = [f"order {oid} is missing" for oid in ids if oid not in found]
    settled = sum(1 for row in rows if row["status"] == "completed" and row["n"] == 1)
    duplicates = sum(row["n"] - 1 for row in rows if row["n"] > 1)
    problems += [
        f"order {row['id']} is {row['status']} with {row['n']} settlement transactions"
        for row in rows if not (row["status"] == "completed" and row["n"] == 1)
    ][:20]
    # Business keys are unique, so a second settlement could only hide under another key: count by kind too.
    by_kind = await conn.fetchval("SELECT count(*) FROM ledger_transactions WHERE kind = 'settlement'")
    if by_kind != len(ids):
        problems.append(f"{by_kind} settlement transactions for {len(ids)} orders")
    return settled, duplicates, problems


async def commission_problems(conn: Connection, order_ids: Iterable[int]) -> list[str]:
    """Distribution commissions written exactly once per (order item, level).

    TODO(distribution): the `commissions` table lives on another branch. Once merged, this
    check runs by itself (it looks the table up); extend it with the commission ledger keys
    (e.g. `commission:{id}:settle` exactly once per settled commission) when they exist."""
    if await conn.fetchval("SELECT to_regclass('commissions')") is None:
        return []
    columns = {r["column_name"] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'commissions'"
    )}
    if not {"order_item_id", "level"} <= columns:
        return [f"commissions has no (order_item_id, level) columns to check: {sorted(columns)}"]
    rows = await conn.fetch(
        "SELECT c.order_item_id, c.level, count(*) AS n FROM commissions c JOIN order_items i ON i.id = c.order_item_id"
        " WHERE i.order_id = ANY($1::int[]) GROUP BY c.order_item_id, c.level HAVING count(*) > 1",
        sorted(set(order_ids)),
    )
    return [f"order item {r['order_item_id']} level {r['level']} has {r['n']} commissions" for r in rows]


async def stock_problems(conn: Connection) -> list[str]:
    """Stock conservation: for every SKU, units sold equal the units in orders that still hold stock."""
    rows = await conn.fetch(
        "SELECT s.id, s.sold, COALESCE(SUM(i.quantity) FILTER (WHERE o.status <> 'cancelled'), 0) AS held"
        " FROM skus s LEFT JOIN order_items i ON i.sku_id = s.id LEFT JOIN orders o ON o.id = i.order_id"
        " GROUP BY s.id HAVING s.sold <> COALESCE(SUM(i.quantity) FILTER (WHERE o.status <> 'cancelled'), 0)"
        " OR s.stock < 0"
    )
    return [f"sku {r['id']}: sold {r['sold']} but orders hold {r['held']}" for r in rows]


def fmt(n: int) -> str:
    return f"{n:,}"
