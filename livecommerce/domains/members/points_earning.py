"""Points earned on completion, frozen N days, then thawed into the available account.

Earning is a completed-order reaction (OrderHooks.completed; it pays no money, so it returns no
legs): floor(kept fen x earn rate) points into the member's FROZEN account, keyed
`points:order:{id}:earn`, and a `points_earnings` row that remembers them and when they thaw.
A deferred job thaws them at `thaw_at` and a cron sweeper catches what it missed; either may
run twice or late: the thaw locks the earning row and moves its `frozen_left` only while
`thawed_at` is null, under the key `points:order:{id}:thaw`, so the points move once.

Lock order: an earning row, then ledger accounts (posting takes them by ascending id).
"""

from __future__ import annotations

from datetime import timedelta

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.members import points
from livecommerce.domains.members.points_rules import earned
from livecommerce.infra import db, queue
from livecommerce.infra.db import Tx


def thaw_job_id(order_id: int) -> str:
    return f"points-thaw:{order_id}"


async def earn_on_completion(tx: Tx, order: Record) -> list[tuple[int, int]]:
    """OrderHooks.completed: the order's kept amount earns frozen points (no money moves)."""
    conn = tx.conn
    kept = order["pay_amount"] - order["refunded_amount"]
    rules = await points.rules_of(conn, order["host_id"])
    amount = earned(kept, rules.earn_bp)
    if amount <= 0:
        return []
    row = await conn.fetchrow(
        "INSERT INTO points_earnings (order_id, host_id, user_id, points, kept_amount,"
        " frozen_left, thaw_at, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $4, now() + $6::interval, now())"
        " ON CONFLICT (order_id) DO NOTHING RETURNING thaw_at",
        order["id"],
        order["host_id"],
        order["buyer_id"],
        amount,
        kept,
        timedelta(days=rules.frozen_days),
    )
    if row is None:
        return []  # earned already
    _, frozen, issuer = await points.member_accounts(conn, order["host_id"], order["buyer_id"])
    await ledger.post(
        conn,
        f"points:order:{order['id']}:earn",
        points.TXN_KIND,
        [(issuer, -amount), (frozen, amount)],
    )
    order_id, due = order["id"], row["thaw_at"]
    tx.after_commit(
        lambda: queue.enqueue(
            "thaw_points", order_id, job_id=thaw_job_id(order_id), defer_until=due
        )
    )
    return []


async def thaw_in(conn: Connection, order_id: int) -> bool:
    """Inside the caller's transaction: move the order's still-frozen points to available if
    their freeze is over and they were not moved yet. True when this call thawed them."""
    row = await conn.fetchrow(
        "SELECT * FROM points_earnings WHERE order_id = $1 AND thawed_at IS NULL"
        " AND thaw_at <= now() FOR UPDATE",
        order_id,
    )
    if row is None:
        return False
    left = int(row["frozen_left"])
    if left > 0:
        available, frozen, _ = await points.member_accounts(conn, row["host_id"], row["user_id"])
        await ledger.post(
            conn,
            f"points:order:{order_id}:thaw",
            points.TXN_KIND,
            [(frozen, -left), (available, left)],
        )
    await conn.execute(
        "UPDATE points_earnings SET frozen_left = 0, thawed_at = now() WHERE order_id = $1",
        order_id,
    )
    return True


async def thaw(order_id: int) -> bool:
    """The thaw job's work: one order's points, in their own transaction."""
    async with db.transaction() as tx:
        return await thaw_in(tx.conn, order_id)


async def due_for_thaw(limit: int = 500) -> list[int]:
    """Orders whose points should have thawed and have not (the sweeper's list)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT order_id FROM points_earnings WHERE thawed_at IS NULL AND thaw_at <= now()"
            " ORDER BY thaw_at LIMIT $1",
            limit,
        )
    return [row["order_id"] for row in rows]
