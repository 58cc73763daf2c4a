"""Checks of the books after a fault: each returns a list of human-readable problems (empty: all
good), so a failing test names every broken order at once rather than the first."""

from __future__ import annotations

from collections.abc import Iterable

from asyncpg import Connection


async def settlement_problems(
    conn: Connection, order_ids: Iterable[int]
) -> tuple[int, int, list[str]]:
    """Each order completed with exactly one `order:{id}:settle` ledger transaction.

    Returns (settled, duplicates, problems)."""
    ids = sorted(set(order_ids))
    rows = await conn.fetch(
        "SELECT o.id, o.status, (SELECT count(*) FROM ledger_transactions t WHERE t.business_key = "
        "'order:' || o.id || ':settle') AS n"
        " FROM orders o WHERE o.id = ANY($1::int[])",
        ids,
    )
    found = {row["id"]: row for row in rows}
    problems = [f"order {oid} is missing" for oid in ids if oid not in found]
    settled = sum(1 for row in rows if row["status"] == "completed" and row["n"] == 1)
    duplicates = sum(row["n"] - 1 for row in rows if row["n"] > 1)
    problems += [
        f"order {row['id']} is {row['status']} with {row['n']} settlement transactions"
        for row in rows
        if not (row["status"] == "completed" and row["n"] == 1)
    ][:20]
    # Business keys are unique, so a second settlement could only hide under another key: count by
    # kind too.
    by_kind = await conn.fetchval(
        "SELECT count(*) FROM ledger_transactions WHERE kind = 'settlement'"
    )
    if by_kind != len(ids):
        problems.append(f"{by_kind} settlement transactions for {len(ids)} orders")
    return settled, duplicates, problems


async def commission_problems(
    conn: Connection, order_ids: Iterable[int], levels: int | None = None
) -> list[str]:
    """Distribution commissions written exactly once per (order item, level), settled exactly once.

    - `levels` given: every item of these orders has exactly that many commissions, one per level;
    - a completed order moved exactly its commissions into the clearing account (in
      `order:{id}:settle`);
    - a settled commission sits in exactly one `commission-settle:{distributor}:{first id}` batch:
      each key names a settled commission of that distributor, and each distributor's wallet got,
      from those batches, exactly the net of their settled commissions (not twice, not lost);
    - the clearing account holds exactly the net of the commissions still due."""
    ids = sorted(set(order_ids))
    problems = [
        f"order item {r['order_item_id']} level {r['level']} has {r['n']} commissions"
        for r in await conn.fetch(
            "SELECT c.order_item_id, c.level, count(*) AS n FROM commissions c WHERE c.order_id = "
            "ANY($1::int[])"
            " GROUP BY c.order_item_id, c.level HAVING count(*) > 1",
            ids,
        )
    ]
    if levels is not None:
        problems += [
            f"order item {r['id']} has {r['n']} commissions (levels {r['lv']}), not {levels}"
            for r in await conn.fetch(
                "SELECT i.id, count(c.id) AS n, array_agg(c.level ORDER BY c.level) AS lv FROM "
                "order_items i"
                " LEFT JOIN commissions c ON c.order_item_id = i.id WHERE i.order_id = "
                "ANY($1::int[]) GROUP BY i.id"
                " HAVING count(c.id) <> $2 OR count(DISTINCT c.level) <> $2 OR min(c.level) <> 1 "
                "OR max(c.level) <> $2 LIMIT 20",
                ids,
                levels,
            )
        ]
    # Completion: the order's settlement transaction moved its commissions' net into the clearing
    # account.
    problems += [
        f"order {r['id']} ({r['status']}) put {r['cleared']} fen into commission clearing, its "
        f"commissions net {r['net']}"
        for r in await conn.fetch(
            "SELECT o.id, o.status,"
            " (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_transactions t JOIN ledger_entries e "
            "ON e.txn_id = t.id"
            "   JOIN accounts a ON a.id = e.account_id WHERE t.business_key = 'order:' || o.id || "
            "':settle' AND a.kind = 'commission') AS cleared,"
            " (SELECT COALESCE(SUM(c.amount - c.reversed_amount), 0) FROM commissions c WHERE "
            "c.order_id = o.id"
            "   AND c.status IN ('due', 'settled')) AS net"
            " FROM orders o WHERE o.id = ANY($1::int[])",
            ids,
        )
        if r["cleared"] != r["net"]
    ][:20]
    problems += [
        f"commission {r['id']} of {r['status']} order {r['order_id']} is {r['c_status']} "
        f"(settled_at {r['settled_at']})"
        for r in await conn.fetch(
            "SELECT c.id, c.order_id, o.status, c.status AS c_status, c.settled_at FROM "
            "commissions c JOIN orders o ON o.id = c.order_id"
            " WHERE c.order_id = ANY($1::int[]) AND ((c.status = 'settled') <> (c.settled_at IS "
            "NOT NULL)"
            " OR (o.status = 'completed' AND c.status = 'pending') OR (o.status <> 'completed' AND "
            "c.status IN ('due', 'settled')))"
            " LIMIT 20",
            ids,
        )
    ]
    # Settlement batches: each key names a settled commission of its distributor.
    batches = await conn.fetch(
        "SELECT t.business_key, split_part(t.business_key, ':', 2)::int AS distributor, "
        "split_part(t.business_key, ':', 3)::int AS first,"
        " c.status, c.distributor_id FROM ledger_transactions t"
        " LEFT JOIN commissions c ON c.id = split_part(t.business_key, ':', 3)::int"
        " WHERE t.business_key LIKE 'commission-settle:%'"
    )
    problems += [
        f"{r['business_key']} names commission {r['first']}, which is {r['status']} for "
        f"distributor {r['distributor_id']}"
        for r in batches
        if r["status"] != "settled" or r["distributor_id"] != r["distributor"]
    ][:20]
    kinds = await conn.fetchval(
        "SELECT count(*) FROM ledger_transactions WHERE kind = 'commission'"
    )
    if kinds != len(batches):
        problems.append(
            f"{kinds} commission ledger transactions but {len(batches)} commission-settle keys"
        )
    owed = {
        r["distributor_id"]: int(r["net"])
        for r in await conn.fetch(
            "SELECT distributor_id, SUM(amount - reversed_amount) AS net FROM commissions WHERE "
            "status = 'settled' GROUP BY distributor_id"
        )
    }
    paid = {
        r["user_id"]: int(r["paid"])
        for r in await conn.fetch(
            "SELECT a.user_id, SUM(e.amount) AS paid FROM ledger_transactions t JOIN "
            "ledger_entries e ON e.txn_id = t.id"
            " JOIN accounts a ON a.id = e.account_id WHERE t.kind = 'commission' AND a.kind IN "
            "('wallet', 'debt') GROUP BY a.user_id"
        )
    }
    problems += [
        f"distributor {d} was paid {paid.get(d, 0)} fen by settlement batches for {owed.get(d, 0)} "
        "fen of settled commissions"
        for d in sorted(set(owed) | set(paid))
        if paid.get(d, 0) != owed.get(d, 0)
    ]
    clearing = await conn.fetchval(
        "SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN accounts a ON a.id = "
        "e.account_id WHERE a.kind = 'commission'"
    )
    due = await conn.fetchval(
        "SELECT COALESCE(SUM(amount - reversed_amount), 0) FROM commissions WHERE status = 'due'"
    )
    if clearing != due:
        problems.append(
            f"the commission clearing account holds {clearing} fen, the due commissions net {due}"
        )
    return problems


async def stock_problems(conn: Connection) -> list[str]:
    """Stock conservation: for every SKU, units sold equal the units in orders that still hold
    stock."""
    rows = await conn.fetch(
        "SELECT s.id, s.sold, COALESCE(SUM(i.quantity) FILTER (WHERE o.status <> 'cancelled'), 0) "
        "AS held"
        " FROM skus s LEFT JOIN order_items i ON i.sku_id = s.id LEFT JOIN orders o ON o.id = "
        "i.order_id"
        " GROUP BY s.id HAVING s.sold <> COALESCE(SUM(i.quantity) FILTER (WHERE o.status <> "
        "'cancelled'), 0)"
        " OR s.stock < 0"
    )
    return [f"sku {r['id']}: sold {r['sold']} but orders hold {r['held']}" for r in rows]


def fmt(n: int) -> str:
    return f"{n:,}"
